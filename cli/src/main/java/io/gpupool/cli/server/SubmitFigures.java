package io.gpupool.cli.server;

import com.google.protobuf.Timestamp;
import io.gpupool.proto.v1.StateTransition;
import io.gpupool.proto.v1.Task;
import io.gpupool.proto.v1.TaskState;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The figures of one {@code bench submit} run, computed from the submit phase's client-side times
 * and the terminal tasks' controller-side transitions. Immutable.
 *
 * @param fields the figures by name, in print order
 */
record SubmitFigures(Map<String, Object> fields) {

  /**
   * @param throttled submits refused by the rate limit and retried
   * @param firstSubmit client time just before the first submit
   * @param lastAck client time when the last submit was acknowledged
   * @param tasks the terminal tasks
   */
  static SubmitFigures of(
      int count,
      int concurrency,
      int throttled,
      Instant firstSubmit,
      Instant lastAck,
      Collection<Task> tasks) {
    double submitSeconds = seconds(Duration.between(firstSubmit, lastAck));
    Instant firstCreate =
        tasks.stream()
            .map(t -> time(t.getCreateTime()))
            .min(Instant::compareTo)
            .orElse(firstSubmit);
    Instant lastEnd =
        tasks.stream()
            .map(t -> time(t.getTransitions(t.getTransitionsCount() - 1).getTime()))
            .max(Instant::compareTo)
            .orElse(lastAck);
    long[] toRunningMs =
        tasks.stream()
            .mapToLong(SubmitFigures::createToRunningMs)
            .filter(ms -> ms >= 0)
            .sorted()
            .toArray();
    Map<TaskState, Long> states = new EnumMap<>(TaskState.class);
    states.putAll(
        tasks.stream().collect(Collectors.groupingBy(Task::getState, Collectors.counting())));
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("tasks", count);
    fields.put("concurrency", concurrency);
    fields.put("throttled", throttled);
    fields.put("submit_s", round(submitSeconds));
    fields.put("submit_per_s", round(count / Math.max(submitSeconds, 1e-9)));
    double runSeconds = seconds(Duration.between(firstCreate, lastEnd));
    fields.put("tasks_per_s", round(tasks.size() / Math.max(runSeconds, 1e-9)));
    fields.put("submit_to_running_p50_ms", percentile(toRunningMs, 50));
    fields.put("submit_to_running_p99_ms", percentile(toRunningMs, 99));
    fields.put("submit_to_running_from", "create_time");
    fields.put("ran", toRunningMs.length);
    for (TaskState state :
        new TaskState[] {
          TaskState.TASK_STATE_SUCCEEDED,
          TaskState.TASK_STATE_FAILED,
          TaskState.TASK_STATE_CANCELLED
        }) {
      String name = state.name().substring("TASK_STATE_".length()).toLowerCase(Locale.ROOT);
      fields.put(name, states.getOrDefault(state, 0L));
    }
    return new SubmitFigures(fields);
  }

  /** Aligned {@code key value} lines, as the other benchmarks print. */
  String toText() {
    int width = fields.keySet().stream().mapToInt(String::length).max().orElse(0) + 2;
    StringBuilder text = new StringBuilder();
    fields.forEach(
        (key, value) ->
            text.append(String.format(Locale.ROOT, "%-" + width + "s%s%n", key, value)));
    return text.toString();
  }

  /** One JSON object on one line. */
  String toJson() {
    return fields.entrySet().stream()
        .map(
            e ->
                "\""
                    + e.getKey()
                    + "\":"
                    + (e.getValue() instanceof String s ? "\"" + s + "\"" : e.getValue()))
        .collect(Collectors.joining(",", "{", "}"));
  }

  /** RUNNING time minus create time, in ms; -1 when the task never ran. */
  private static long createToRunningMs(Task task) {
    for (StateTransition transition : task.getTransitionsList()) {
      if (transition.getState() == TaskState.TASK_STATE_RUNNING) {
        return Duration.between(time(task.getCreateTime()), time(transition.getTime())).toMillis();
      }
    }
    return -1;
  }

  /** Nearest-rank percentile; 0 when there are no values. */
  private static long percentile(long[] sorted, int p) {
    if (sorted.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, rank - 1)];
  }

  private static Instant time(Timestamp t) {
    return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
  }

  private static double seconds(Duration d) {
    return d.toNanos() / 1e9;
  }

  private static double round(double v) {
    return Math.round(v * 10) / 10.0;
  }
}
