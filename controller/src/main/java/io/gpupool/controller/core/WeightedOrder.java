package io.gpupool.controller.core;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;

/**
 * The origin's priority: higher priority class first; within a class, the highest {@code P = w1*C +
 * w2*T + w3*M + aging}, where C, T, M are the task's hints in [0,1] and aging grows without bound,
 * by {@code agingWeight} per {@code agingHorizon} of waiting.
 *
 * <p>Because aging never stops growing, nothing starves: with {@code agingWeight >= w1 + w2 + w3},
 * a task submitted a full horizon after another can never pass it (ties go to the earlier
 * submission), so a task's wait is bounded by the work submitted within one horizon after it.
 */
public final class WeightedOrder implements QueueOrder {
  private final Weights weights;

  public WeightedOrder(Weights weights) {
    this.weights = weights;
  }

  /**
   * Weights of the priority terms.
   *
   * @param compute w1, for compute intensity
   * @param time w2, for time sensitivity
   * @param memory w3, for memory need
   * @param aging what the aging term adds per horizon of waiting
   * @param agingHorizon the wait that adds {@code aging}
   */
  public record Weights(
      double compute, double time, double memory, double aging, Duration agingHorizon) {
    /** The origin's defaults 0.5/0.3/0.2, and aging worth all of them per hour of waiting. */
    public static final Weights DEFAULT = new Weights(0.5, 0.3, 0.2, 1.0, Duration.ofHours(1));

    public Weights {
      if (compute < 0 || time < 0 || memory < 0 || aging < 0) {
        throw new IllegalArgumentException("weights must not be negative");
      }
      if (agingHorizon.isNegative() || agingHorizon.isZero()) {
        throw new IllegalArgumentException("the aging horizon must be positive");
      }
    }
  }

  /** P for a task at the snapshot's time. */
  double priority(PendingTask task, ClusterSnapshot snapshot) {
    TaskProfile p = task.profile();
    double waited = Math.max(0, Duration.between(task.submitTime(), snapshot.now()).toMillis());
    double aging = weights.aging() * waited / weights.agingHorizon().toMillis();
    return weights.compute() * p.computeIntensity()
        + weights.time() * p.timeSensitivity()
        + weights.memory() * p.memoryNeed()
        + aging;
  }

  @Override
  public List<PendingTask> order(ClusterSnapshot snapshot) {
    Comparator<PendingTask> byClass =
        Comparator.comparingInt((PendingTask t) -> t.profile().priority()).reversed();
    Comparator<PendingTask> byP =
        Comparator.comparingDouble((PendingTask t) -> priority(t, snapshot)).reversed();
    return snapshot.queue().stream()
        .sorted(byClass.thenComparing(byP).thenComparingLong(PendingTask::sequence))
        .toList();
  }
}
