package io.gpupool.cli.client;

import io.gpupool.proto.v1.TaskState;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** Names and facts about task states as the CLI shows and reads them. Stateless, thread-safe. */
final class TaskStates {
  private static final String PREFIX = "TASK_STATE_";

  /** The states a task can be in (without UNSPECIFIED and protobuf's UNRECOGNIZED). */
  static final List<TaskState> REAL =
      Arrays.stream(TaskState.values())
          .filter(s -> s != TaskState.TASK_STATE_UNSPECIFIED && s != TaskState.UNRECOGNIZED)
          .toList();

  private TaskStates() {}

  /** {@code TASK_STATE_RUNNING -> RUNNING}; {@code UNKNOWN} for a state newer than this CLI. */
  static String label(TaskState state) {
    if (state == TaskState.UNRECOGNIZED) {
      return "UNKNOWN";
    }
    return state.name().substring(PREFIX.length());
  }

  /** True for SUCCEEDED, FAILED and CANCELLED. */
  static boolean isTerminal(TaskState state) {
    return state == TaskState.TASK_STATE_SUCCEEDED
        || state == TaskState.TASK_STATE_FAILED
        || state == TaskState.TASK_STATE_CANCELLED;
  }

  /**
   * Reads {@code running} or {@code TASK_STATE_RUNNING}, in any case.
   *
   * @throws IllegalArgumentException listing the valid values
   */
  static TaskState parse(String text) {
    String name = text.strip().toUpperCase(Locale.ROOT);
    String full = name.startsWith(PREFIX) ? name : PREFIX + name;
    for (TaskState state : REAL) {
      if (state.name().equals(full)) {
        return state;
      }
    }
    throw new IllegalArgumentException(
        "'" + text + "' is not a task state; valid values: " + validValues());
  }

  /** {@code pending, scheduled, running, ...} */
  static String validValues() {
    return REAL.stream()
        .map(s -> label(s).toLowerCase(Locale.ROOT))
        .collect(Collectors.joining(", "));
  }
}
