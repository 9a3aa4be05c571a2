package io.gpupool.cli.client;

import io.gpupool.proto.v1.GetTaskRequest;
import io.gpupool.proto.v1.Task;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code gpupool get ID}: shows one task; {@code -o json} prints the Task message. */
@Command(
    name = "get",
    description = "Shows a task: state and why, placement, times, result, progress, history.")
public final class GetCommand implements Callable<Integer> {
  @Mixin private ControllerOptions controller;

  @Parameters(paramLabel = "ID", description = "Task id, e.g. t-42.")
  private String id;

  @Override
  public Integer call() {
    Task task;
    try (ControllerConnection connection = controller.connect()) {
      task = connection.call().getTask(GetTaskRequest.newBuilder().setId(id).build()).getTask();
    }
    if (controller.json()) {
      controller.out().println(Json.pretty(task));
      controller.out().flush();
    } else {
      new TaskDescription(controller.context().clock()).print(task, controller.out());
    }
    return 0;
  }
}
