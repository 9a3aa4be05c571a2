package io.gpupool.cli.client;

import io.gpupool.proto.v1.GetTaskRequest;
import io.gpupool.proto.v1.Task;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code gpupool get ID}: shows one task, with a CUDA kernel's outputs (as hex, or written to files
 * with {@code --output-dir}) and a diagnostic's results; {@code -o json} prints the Task message.
 */
@Command(
    name = "get",
    description = "Shows a task: state and why, placement, times, result, progress, history.")
public final class GetCommand implements Callable<Integer> {
  @Mixin private ControllerOptions controller;

  @Parameters(paramLabel = "ID", description = "Task id, e.g. t-42.")
  private String id;

  @Option(
      names = "--output-dir",
      paramLabel = "DIR",
      description =
          "Write each output buffer of a CUDA kernel task to DIR/argN.bin (N: its --arg index).")
  private Path outputDir;

  @Override
  public Integer call() {
    Task task;
    try (ControllerConnection connection = controller.connect()) {
      task = connection.call().getTask(GetTaskRequest.newBuilder().setId(id).build()).getTask();
    }
    Map<Integer, Path> files =
        outputDir != null && task.getResult().hasKernel()
            ? KernelOutputFiles.write(task.getResult().getKernel(), outputDir)
            : Map.of();
    if (outputDir != null && !task.getResult().hasKernel()) {
      controller.err().println("note: task " + id + " has no kernel outputs to write (yet)");
      controller.err().flush();
    }
    if (controller.json()) {
      controller.out().println(Json.pretty(task));
      controller.out().flush();
    } else {
      new TaskDescription(controller.context().clock()).print(task, files, controller.out());
    }
    return 0;
  }
}
