package io.gpupool.controller.state;

import io.gpupool.proto.v1.TaskState;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/** The task state machine: which state may follow which. Every state change goes through it. */
public final class TaskLifecycle {

  private static final Map<TaskState, Set<TaskState>> NEXT = new EnumMap<>(TaskState.class);

  static {
    // UNSPECIFIED is the task before the controller accepted it.
    NEXT.put(TaskState.TASK_STATE_UNSPECIFIED, EnumSet.of(TaskState.TASK_STATE_PENDING));
    NEXT.put(
        TaskState.TASK_STATE_PENDING,
        EnumSet.of(TaskState.TASK_STATE_SCHEDULED, TaskState.TASK_STATE_CANCELLED));
    // Back to PENDING: requeued after preemption.
    NEXT.put(
        TaskState.TASK_STATE_SCHEDULED,
        EnumSet.of(
            TaskState.TASK_STATE_RUNNING,
            TaskState.TASK_STATE_PENDING,
            TaskState.TASK_STATE_FAILED,
            TaskState.TASK_STATE_CANCELLED));
    NEXT.put(
        TaskState.TASK_STATE_RUNNING,
        EnumSet.of(
            TaskState.TASK_STATE_SUCCEEDED,
            TaskState.TASK_STATE_PENDING,
            TaskState.TASK_STATE_FAILED,
            TaskState.TASK_STATE_CANCELLED));
    for (TaskState terminal :
        EnumSet.of(
            TaskState.TASK_STATE_SUCCEEDED,
            TaskState.TASK_STATE_FAILED,
            TaskState.TASK_STATE_CANCELLED)) {
      NEXT.put(terminal, EnumSet.noneOf(TaskState.class));
    }
  }

  private TaskLifecycle() {}

  /** True when a task in {@code from} may move to {@code to}. */
  public static boolean allows(TaskState from, TaskState to) {
    return NEXT.getOrDefault(from, Set.of()).contains(to);
  }

  /** The states that may follow {@code from}; empty for terminal states. */
  public static Set<TaskState> successors(TaskState from) {
    return Set.copyOf(NEXT.getOrDefault(from, Set.of()));
  }

  /** True for SUCCEEDED, FAILED and CANCELLED: nothing follows them. */
  public static boolean isTerminal(TaskState state) {
    return NEXT.containsKey(state) && NEXT.get(state).isEmpty();
  }
}
