package io.gpupool.cli.client;

import io.gpupool.proto.v1.ListTaskEventsRequest;
import io.gpupool.proto.v1.ListTaskEventsResponse;
import io.gpupool.proto.v1.TaskEvent;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code gpupool logs ID}: prints a task's output, stdout lines to stdout and stderr lines to
 * stderr; with {@code -f} keeps printing until the task ends. {@code -o json} prints one log
 * TaskEvent per line.
 */
@Command(
    name = "logs",
    description = "Prints a task's output lines (stdout to stdout, stderr to stderr).")
public final class LogsCommand implements Callable<Integer> {
  @Mixin private ControllerOptions controller;

  @Parameters(paramLabel = "ID", description = "Task id, e.g. t-42.")
  private String id;

  @Option(
      names = {"-f", "--follow"},
      description = "Keep printing new lines until the task ends.")
  private boolean follow;

  @Override
  public Integer call() {
    TaskEventPrinter printer =
        new TaskEventPrinter(
            controller.out(),
            controller.err(),
            controller.json(),
            TaskEventPrinter.Scope.LOGS,
            controller.context().clock());
    try (ControllerConnection connection = controller.connect()) {
      if (follow) {
        TaskWatch.follow(connection, id, printer::print);
      } else {
        printStored(connection, printer);
      }
    }
    return 0;
  }

  private void printStored(ControllerConnection connection, TaskEventPrinter printer) {
    String pageToken = "";
    do {
      ListTaskEventsResponse page =
          connection
              .call()
              .listTaskEvents(
                  ListTaskEventsRequest.newBuilder().setId(id).setPageToken(pageToken).build());
      for (TaskEvent event : page.getEventsList()) {
        printer.print(event);
      }
      pageToken = page.getNextPageToken();
    } while (!pageToken.isEmpty());
  }
}
