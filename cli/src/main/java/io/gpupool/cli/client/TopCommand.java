package io.gpupool.cli.client;

import io.gpupool.proto.v1.ListNodesRequest;
import io.gpupool.proto.v1.ListNodesResponse;
import io.gpupool.proto.v1.ListTasksRequest;
import io.gpupool.proto.v1.ListTasksResponse;
import io.gpupool.proto.v1.TaskState;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code gpupool top}: the cluster's GPUs ({@link TopView}), redrawn in place every {@code
 * --interval} on a terminal until the user types q or presses Ctrl-C; one snapshot when stdout is
 * not a terminal, so it can be piped and scripted. {@code -o json} prints the ListNodesResponse
 * once.
 */
@Command(
    name = "top",
    description = {
      "Shows the cluster's GPUs: utilization, memory, power, temperature, health and task per GPU,"
          + " with totals and the queue length.",
      "On a terminal the screen updates every --interval until you type q or press"
          + " Ctrl-C; otherwise it prints one snapshot. -o json prints the nodes once."
    })
public final class TopCommand implements Callable<Integer> {
  /** Clears the screen and moves the cursor home (ANSI). */
  static final String CLEAR_SCREEN = "\033[H\033[2J";

  private static final int PAGE_SIZE = 1000;

  @Mixin private ControllerOptions controller;

  @Option(
      names = "--interval",
      paramLabel = "DURATION",
      defaultValue = "2s",
      converter = DurationConverter.class,
      description =
          "Time between updates on a terminal, more than 0 (e.g. 1s, 500ms). Default: 2s.")
  private Duration interval;

  @Override
  public Integer call() throws InterruptedException, IOException {
    PrintWriter out = controller.out();
    Terminal terminal = controller.context().terminal();
    try (ControllerConnection connection = controller.connect()) {
      if (controller.json()) {
        out.println(Json.pretty(nodes(connection)));
        out.flush();
        return 0;
      }
      if (!terminal.attached()) {
        draw(out, connection, terminal, false, false);
        return 0;
      }
      Optional<KeyboardMode> keyboard = KeyboardMode.characters();
      try {
        while (true) {
          draw(out, connection, terminal, true, keyboard.isPresent());
          if (quitRequested(System.in, interval)) {
            return 0;
          }
        }
      } finally {
        keyboard.ifPresent(KeyboardMode::close);
      }
    }
  }

  private void draw(
      PrintWriter out,
      ControllerConnection connection,
      Terminal terminal,
      boolean clear,
      boolean singleKeys) {
    // Cut lines only where they would wrap and break the redraw; a pipe gets them whole.
    int width = clear ? terminal.columns() : Integer.MAX_VALUE;
    List<String> lines = TopView.render(nodes(connection), queueLength(connection), width);
    StringBuilder screen = new StringBuilder(clear ? CLEAR_SCREEN : "");
    for (String line : lines) {
      screen.append(line).append(System.lineSeparator());
    }
    if (clear) {
      screen
          .append(singleKeys ? "(q or Ctrl-C to quit)" : "(q and Enter, or Ctrl-C, to quit)")
          .append(System.lineSeparator());
    }
    out.print(screen);
    out.flush();
  }

  private static ListNodesResponse nodes(ControllerConnection connection) {
    return connection.call().listNodes(ListNodesRequest.getDefaultInstance());
  }

  private static long queueLength(ControllerConnection connection) {
    long pending = 0;
    String pageToken = "";
    do {
      ListTasksResponse page =
          connection
              .call()
              .listTasks(
                  ListTasksRequest.newBuilder()
                      .addStates(TaskState.TASK_STATE_PENDING)
                      .setPageSize(PAGE_SIZE)
                      .setPageToken(pageToken)
                      .build());
      pending += page.getTasksCount();
      pageToken = page.getNextPageToken();
    } while (!pageToken.isEmpty());
    return pending;
  }

  /**
   * Waits out one interval, watching the keyboard: true once the user typed q (at once in {@link
   * KeyboardMode}, else with Enter).
   */
  private static boolean quitRequested(InputStream keys, Duration interval)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + interval.toNanos();
    while (System.nanoTime() < deadline) {
      while (keys.available() > 0) {
        int key = keys.read();
        if (key == 'q' || key == 'Q') {
          return true;
        }
      }
      // Polling stdin: it cannot be waited on with a timeout.
      Thread.sleep(Math.min(100, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
    }
    return false;
  }
}
