package io.gpupool.cli.client;

import io.gpupool.cli.text.ProgressLine;
import io.gpupool.proto.v1.Progress;
import io.gpupool.proto.v1.TaskEvent;
import io.gpupool.proto.v1.TaskState;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * What a watched task's events say so far: its state, its latest progress and, from the time it has
 * run and the share it has done, the time it still needs. Feeds {@link ProgressLine}.
 *
 * <p>Not thread-safe: feed it from the thread that reads the stream.
 */
final class TaskProgress {
  private final String taskId;
  private TaskState state = TaskState.TASK_STATE_UNSPECIFIED;
  private Instant runningSince;
  private Progress progress;
  private String reason = "";

  TaskProgress(String taskId) {
    this.taskId = taskId;
  }

  /** Takes in one event; log lines change nothing. */
  void accept(TaskEvent event) {
    if (event.hasStateChange()) {
      state = event.getStateChange().getState();
      reason = event.getStateChange().getReason();
      if (state == TaskState.TASK_STATE_RUNNING) {
        runningSince =
            ProtoTime.instant(event.getStateChange().hasTime(), event.getStateChange().getTime())
                .orElse(null);
      }
    } else if (event.hasProgress()) {
      progress = event.getProgress();
    }
  }

  /** The task's latest state. */
  TaskState state() {
    return state;
  }

  /** The status line's content now. */
  ProgressLine.Status status() {
    Optional<Double> fraction = fraction();
    return new ProgressLine.Status(
        taskId,
        TaskStates.label(state),
        fraction.map(f -> f * 100).orElse(null),
        progress != null && progress.hasStep() ? progress.getStep() : null,
        progress != null && progress.hasTotalSteps() ? progress.getTotalSteps() : null,
        eta(fraction).orElse(null),
        reason);
  }

  /** Done share 0..1: the reported percent, else step/total. */
  private Optional<Double> fraction() {
    if (progress == null) {
      return Optional.empty();
    }
    if (progress.hasPercent()) {
      return Optional.of(Math.max(0, Math.min(100, progress.getPercent())) / 100);
    }
    if (progress.hasStep() && progress.hasTotalSteps() && progress.getTotalSteps() > 0) {
      return Optional.of(
          Math.max(0, Math.min(1, (double) progress.getStep() / progress.getTotalSteps())));
    }
    return Optional.empty();
  }

  /** Time left if the rest goes as fast as what is done went; unknown before any progress. */
  private Optional<Duration> eta(Optional<Double> fraction) {
    if (state != TaskState.TASK_STATE_RUNNING
        || runningSince == null
        || fraction.isEmpty()
        || fraction.get() <= 0
        || !progress.hasTime()) {
      return Optional.empty();
    }
    Instant reported = ProtoTime.instant(true, progress.getTime()).orElseThrow();
    Duration elapsed = Duration.between(runningSince, reported);
    if (elapsed.isNegative()) {
      return Optional.empty();
    }
    double f = fraction.get();
    return Optional.of(Duration.ofMillis(Math.round(elapsed.toMillis() * (1 - f) / f)));
  }
}
