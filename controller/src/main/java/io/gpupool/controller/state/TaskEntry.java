package io.gpupool.controller.state;

import com.google.protobuf.Timestamp;
import io.gpupool.controller.store.StoredTask;
import io.gpupool.proto.v1.LogLine;
import io.gpupool.proto.v1.Placement;
import io.gpupool.proto.v1.Progress;
import io.gpupool.proto.v1.StateTransition;
import io.gpupool.proto.v1.Task;
import io.gpupool.proto.v1.TaskEvent;
import io.gpupool.proto.v1.TaskResult;
import io.gpupool.proto.v1.TaskState;
import io.gpupool.proto.v1.TaskUsage;
import java.time.Instant;

/**
 * A task that has not finished, with the bookkeeping to append to its event history.
 *
 * <p>Not thread-safe; owned by the scheduling loop. Every mutation returns the event it adds (if
 * any) so the loop can store and publish it.
 */
public final class TaskEntry {
  private final long sequence;
  private Task task;
  private long lastEventSequence;

  public TaskEntry(long sequence, Task task, long lastEventSequence) {
    this.sequence = sequence;
    this.task = task;
    this.lastEventSequence = lastEventSequence;
  }

  public static TaskEntry fromStored(StoredTask stored) {
    return new TaskEntry(stored.sequence(), stored.task(), stored.lastEventSequence());
  }

  public StoredTask toStored() {
    return new StoredTask(sequence, task, lastEventSequence);
  }

  public long sequence() {
    return sequence;
  }

  public Task task() {
    return task;
  }

  public String id() {
    return task.getId();
  }

  public TaskState state() {
    return task.getState();
  }

  /** The node the task is placed on; empty while pending. */
  public String nodeId() {
    return task.getPlacement().getNodeId();
  }

  /**
   * Moves the task to {@code to}, recording the transition, its times and (for terminal states) the
   * result.
   *
   * @throws IllegalStateException if the lifecycle does not allow the move; callers check first
   */
  public TaskEvent transition(TaskState to, String reason, Instant now, TaskResult result) {
    if (!TaskLifecycle.allows(task.getState(), to)) {
      throw new IllegalStateException(
          "task " + id() + " cannot go from " + task.getState() + " to " + to);
    }
    Timestamp time = Timestamps.of(now);
    StateTransition transition =
        StateTransition.newBuilder().setState(to).setReason(reason).setTime(time).build();
    Task.Builder next = task.toBuilder().setState(to).setReason(reason).addTransitions(transition);
    if (to == TaskState.TASK_STATE_RUNNING) {
      next.setStartTime(time);
    }
    if (to != TaskState.TASK_STATE_PENDING) {
      next.clearExpectedStartTime();
    }
    TaskEvent.Builder event = nextEvent().setStateChange(transition);
    if (TaskLifecycle.isTerminal(to)) {
      next.setEndTime(time);
      if (result != null) {
        next.setResult(result);
        event.setResult(result);
      }
    }
    task = next.build();
    return event.build();
  }

  /** Records where the task was placed; each placement is a new attempt. */
  public void place(Placement placement) {
    task = task.toBuilder().setPlacement(placement).setAttempt(task.getAttempt() + 1).build();
  }

  /** Forgets the placement and per-run marks of a task going back to the queue. */
  public void unplace() {
    task =
        task.toBuilder()
            .clearPlacement()
            .clearStartTime()
            .clearExpectedEndTime()
            .clearProgress()
            .setPreemptionRequested(false)
            .build();
  }

  /**
   * Adds what one heartbeat measured to the task's usage.
   *
   * @param gpuModel the model of the GPUs sampled; kept as the task's last model
   */
  public void addUsage(double gpuSeconds, double idleGpuSeconds, double joules, String gpuModel) {
    TaskUsage usage = task.getUsage();
    task =
        task.toBuilder()
            .setUsage(
                usage.toBuilder()
                    .setGpuSeconds(usage.getGpuSeconds() + gpuSeconds)
                    .setIdleGpuSeconds(usage.getIdleGpuSeconds() + idleGpuSeconds)
                    .setEnergyJoules(usage.getEnergyJoules() + joules)
                    .setGpuModel(gpuModel.isEmpty() ? usage.getGpuModel() : gpuModel))
            .build();
  }

  /** Counts a requeue because the task's node was lost. */
  public void countLoss() {
    task = task.toBuilder().setLostCount(task.getLostCount() + 1).build();
  }

  /** Marks that the task was told to stop for higher-priority work. */
  public void requestPreemption(String reason) {
    task = task.toBuilder().setPreemptionRequested(true).setReason(reason).build();
  }

  /** Sets (or clears, with null) when a pending task is expected to start; false if unchanged. */
  public boolean expectStart(Instant start) {
    Task.Builder next = task.toBuilder();
    if (start == null) {
      next.clearExpectedStartTime();
    } else {
      next.setExpectedStartTime(Timestamps.of(start));
    }
    Task updated = next.build();
    boolean changed = !updated.equals(task);
    task = updated;
    return changed;
  }

  /** Sets when a running task is expected to end. */
  public void expectEnd(Instant end) {
    task = task.toBuilder().setExpectedEndTime(Timestamps.of(end)).build();
  }

  /** Changes the reason shown for the current state; returns false if it was already so. */
  public boolean explain(String reason) {
    if (task.getReason().equals(reason)) {
      return false;
    }
    task = task.toBuilder().setReason(reason).build();
    return true;
  }

  /** Marks that a cancel was asked for while the workload runs. */
  public void requestCancel(String reason) {
    task = task.toBuilder().setCancelRequested(true).setReason(reason).build();
  }

  /** Records progress reported by the workload and returns its event. */
  public TaskEvent progress(Progress progress) {
    task = task.toBuilder().setProgress(progress).build();
    return nextEvent().setProgress(progress).build();
  }

  /** Returns a new event for a log line; the task itself does not change. */
  public TaskEvent log(LogLine line) {
    return nextEvent().setLog(line).build();
  }

  private TaskEvent.Builder nextEvent() {
    lastEventSequence++;
    return TaskEvent.newBuilder().setTaskId(id()).setSequence(lastEventSequence);
  }
}
