package io.gpupool.cli.client;

import io.gpupool.cli.text.TimeText;
import io.gpupool.proto.v1.LogStream;
import io.gpupool.proto.v1.StateTransition;
import io.gpupool.proto.v1.TaskEvent;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Prints task events as they arrive: as text (state changes and progress as timestamped lines, log
 * lines as the workload wrote them, stdout to out and stderr to err) or as one compact JSON {@code
 * TaskEvent} per line. Flushes after every event, so output is live.
 *
 * <p>Not thread-safe: feed it from the thread that reads the stream.
 */
final class TaskEventPrinter {
  /** Which events to print. */
  enum Scope {
    /** State changes, progress and log lines. */
    ALL,
    /** Only log lines ({@code gpupool logs}). */
    LOGS
  }

  private final PrintWriter out;
  private final PrintWriter err;
  private final boolean json;
  private final Scope scope;
  private final Clock clock;
  private final TimeText timeText;

  TaskEventPrinter(PrintWriter out, PrintWriter err, boolean json, Scope scope, Clock clock) {
    this.out = out;
    this.err = err;
    this.json = json;
    this.scope = scope;
    this.clock = clock;
    this.timeText = new TimeText(clock.getZone());
  }

  /** Prints one event, or nothing when it is outside the scope. */
  void print(TaskEvent event) {
    if (scope == Scope.LOGS && !event.hasLog()) {
      return;
    }
    if (json) {
      out.println(Json.compact(event));
      out.flush();
      return;
    }
    switch (event.getKindCase()) {
      case LOG -> {
        PrintWriter target = event.getLog().getStream() == LogStream.LOG_STREAM_STDERR ? err : out;
        target.println(event.getLog().getText());
        target.flush();
      }
      case STATE_CHANGE -> printLine(stateLine(event));
      case PROGRESS ->
          printLine(
              time(event.getProgress().hasTime(), event.getProgress().getTime())
                  + " progress "
                  + TaskText.progress(event.getProgress()));
      case KIND_NOT_SET -> {
        // An event kind newer than this CLI: nothing to show.
      }
    }
  }

  private String stateLine(TaskEvent event) {
    StateTransition change = event.getStateChange();
    List<String> parts = new ArrayList<>();
    parts.add(time(change.hasTime(), change.getTime()));
    parts.add(TaskStates.label(change.getState()));
    // The controller's reason already says where a task runs and how it ended.
    parts.add(
        change.getReason().isEmpty() && event.hasResult()
            ? TaskText.result(event.getResult())
            : change.getReason());
    return String.join(" ", parts.stream().filter(p -> !p.isEmpty() && !p.equals("()")).toList());
  }

  private String time(boolean isSet, com.google.protobuf.Timestamp timestamp) {
    return timeText.time(ProtoTime.instant(isSet, timestamp).orElseGet(clock::instant));
  }

  private void printLine(String line) {
    out.println(line);
    out.flush();
  }
}
