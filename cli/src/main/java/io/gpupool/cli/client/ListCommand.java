package io.gpupool.cli.client;

import io.gpupool.cli.text.TablePrinter;
import io.gpupool.cli.text.TimeText;
import io.gpupool.proto.v1.ListTasksRequest;
import io.gpupool.proto.v1.ListTasksResponse;
import io.gpupool.proto.v1.Task;
import io.gpupool.proto.v1.TaskState;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code gpupool list}: lists tasks, oldest first, following page tokens up to {@code --limit}.
 * {@code -o json} prints one ListTasksResponse holding every task shown, whose {@code
 * nextPageToken} is set when the limit stopped the listing before the last page.
 */
@Command(name = "list", description = "Lists tasks, oldest first.")
public final class ListCommand implements Callable<Integer> {
  /** The most tasks the controller returns in one page. */
  private static final int MAX_PAGE_SIZE = 1000;

  @Spec private CommandSpec spec;

  @Mixin private ControllerOptions controller;

  @Option(
      names = "--state",
      paramLabel = "STATE",
      converter = TaskStateConverter.class,
      description =
          "Only tasks in this state (pending, scheduled, running, succeeded, failed, cancelled;"
              + " or TASK_STATE_RUNNING ...); repeatable.")
  private List<TaskState> states = new ArrayList<>();

  @Option(
      names = "--limit",
      paramLabel = "N",
      defaultValue = "100",
      description = "Show at most N tasks. Default: ${DEFAULT-VALUE}.")
  private int limit;

  @Override
  public Integer call() {
    if (limit < 1) {
      throw new ParameterException(
          spec.commandLine(), "--limit must be at least 1, but it is " + limit);
    }
    ListTasksResponse tasks = fetch();
    if (controller.json()) {
      controller.out().println(Json.pretty(tasks));
    } else {
      printTable(tasks.getTasksList(), controller.out());
      if (!tasks.getNextPageToken().isEmpty()) {
        controller
            .err()
            .println("(showing the first " + limit + " tasks; there may be more: raise --limit)");
        controller.err().flush();
      }
    }
    controller.out().flush();
    return 0;
  }

  /** All tasks up to the limit, with the token of the page after them if there is one. */
  private ListTasksResponse fetch() {
    ListTasksResponse.Builder all = ListTasksResponse.newBuilder();
    String pageToken = "";
    try (ControllerConnection connection = controller.connect()) {
      do {
        // Asking for exactly what is still missing means a page is never cut, so the
        // token the controller returns marks precisely where the listing stopped.
        int pageSize = Math.min(limit - all.getTasksCount(), MAX_PAGE_SIZE);
        ListTasksResponse page =
            connection
                .call()
                .listTasks(
                    ListTasksRequest.newBuilder()
                        .addAllStates(states)
                        .setPageSize(pageSize)
                        .setPageToken(pageToken)
                        .build());
        all.addAllTasks(page.getTasksList().subList(0, Math.min(pageSize, page.getTasksCount())));
        pageToken = page.getNextPageToken();
      } while (!pageToken.isEmpty() && all.getTasksCount() < limit);
    }
    return all.setNextPageToken(pageToken).build();
  }

  private void printTable(List<Task> tasks, PrintWriter out) {
    Instant now = controller.context().clock().instant();
    TablePrinter table =
        TablePrinter.withHeader("ID", "NAME", "STATE", "GPUS", "NODE", "AGE", "REASON");
    for (Task task : tasks) {
      table.row(
          task.getId(),
          TaskText.orDash(task.getSpec().getName()),
          TaskStates.label(task.getState()),
          task.getSpec().getResources().getGpus(),
          TaskText.orDash(task.getPlacement().getNodeName()),
          ProtoTime.instant(task.hasCreateTime(), task.getCreateTime())
              .map(created -> TimeText.age(created, now))
              .orElse("-"),
          task.getReason());
    }
    table.print(out);
  }
}
