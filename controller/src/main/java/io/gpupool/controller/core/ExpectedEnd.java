package io.gpupool.controller.core;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * When a running task is expected to end: from its reported progress when it has made some (elapsed
 * time over fraction done), else from its estimated run time; empty when neither is known.
 */
public final class ExpectedEnd {
  /** Below this fraction done, progress says too little to extrapolate from. */
  static final double MIN_PROGRESS = 0.01;

  private ExpectedEnd() {}

  public static Optional<Instant> of(RunningTask task, Instant now, RuntimeEstimates estimates) {
    if (task.progress().isPresent() && task.progress().getAsDouble() >= MIN_PROGRESS) {
      double done = Math.min(1.0, task.progress().getAsDouble());
      long elapsed = Math.max(0, Duration.between(task.startTime(), now).toMillis());
      return Optional.of(task.startTime().plusMillis(Math.round(elapsed / done)));
    }
    return estimates.estimate(task.profile()).map(task.startTime()::plus);
  }
}
