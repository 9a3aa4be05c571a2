package io.gpupool.cli.client;

/**
 * Follows a task for {@code submit --watch} and {@code watch}, showing it the way the output
 * allows: a live progress line on a terminal ({@link LiveTaskPrinter}), plain timestamped lines
 * otherwise, JSON Lines with {@code -o json} ({@link TaskEventPrinter}).
 *
 * <p>Stateless; each call uses the options of the command it serves.
 */
final class TaskFollower {
  private TaskFollower() {}

  /**
   * Follows task {@code taskId} to its end and returns the exit code that mirrors it ({@link
   * TaskWatch.Outcome#exitCode()}).
   *
   * @throws CommandFailedException when the stream ends before the task does
   */
  static int follow(ControllerOptions controller, ControllerConnection connection, String taskId) {
    Terminal terminal = controller.context().terminal();
    if (terminal.attached() && !controller.json()) {
      LiveTaskPrinter live =
          new LiveTaskPrinter(controller.out(), controller.err(), taskId, terminal.columns());
      TaskWatch.Outcome outcome;
      try {
        outcome = TaskWatch.follow(connection, taskId, live::print);
      } finally {
        live.finish();
      }
      String result = TaskText.result(outcome.result());
      if (outcome.exitCode() != 0 && !result.isEmpty()) {
        // The status line shows only the state; say why it ended badly.
        controller.out().println(taskId + " " + TaskStates.label(outcome.state()) + ": " + result);
        controller.out().flush();
      }
      return outcome.exitCode();
    }
    TaskEventPrinter printer =
        new TaskEventPrinter(
            controller.out(),
            controller.err(),
            controller.json(),
            TaskEventPrinter.Scope.ALL,
            controller.context().clock());
    return TaskWatch.follow(connection, taskId, printer::print).exitCode();
  }
}
