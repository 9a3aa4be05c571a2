package io.gpupool.cli.client;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code gpupool watch ID}: follows a task from its first event to its end, with a live progress
 * line on a terminal and plain lines otherwise, and exits with the task's exit code.
 */
@Command(
    name = "watch",
    description = {
      "Follows a task until it ends: a live progress bar and state line on a terminal, plain"
          + " timestamped lines otherwise (-o json: one TaskEvent per line).",
      "Exits with the task's exit code: 0 when it succeeded."
    },
    footer = {"", "Example:", "  gpupool watch t-42"})
public final class WatchCommand implements Callable<Integer> {
  @Mixin private ControllerOptions controller;

  @Parameters(index = "0", paramLabel = "ID", description = "The task's id.")
  private String taskId;

  @Override
  public Integer call() {
    try (ControllerConnection connection = controller.connect()) {
      return TaskFollower.follow(controller, connection, taskId);
    }
  }
}
