package io.gpupool.cli.client;

import io.gpupool.proto.v1.CancelTaskRequest;
import io.gpupool.proto.v1.Task;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code gpupool cancel ID}: cancels a task and says where that left it ({@code t-3 CANCELLED}, or
 * {@code t-3 cancel requested (RUNNING)} while the workload is being stopped). {@code -o json}
 * prints the Task.
 */
@Command(
    name = "cancel",
    description = {
      "Cancels a task.",
      "A pending task is cancelled at once; a running one by stopping its workload (SIGTERM,"
          + " then SIGKILL after its kill grace period)."
    })
public final class CancelCommand implements Callable<Integer> {
  @Mixin private ControllerOptions controller;

  @Parameters(paramLabel = "ID", description = "Task id, e.g. t-42.")
  private String id;

  @Override
  public Integer call() {
    Task task;
    try (ControllerConnection connection = controller.connect()) {
      task =
          connection.call().cancelTask(CancelTaskRequest.newBuilder().setId(id).build()).getTask();
    }
    String state = TaskStates.label(task.getState());
    controller
        .out()
        .println(
            controller.json()
                ? Json.pretty(task)
                : TaskStates.isTerminal(task.getState())
                    ? task.getId() + " " + state
                    : task.getId() + " cancel requested (" + state + ")");
    controller.out().flush();
    return 0;
  }
}
