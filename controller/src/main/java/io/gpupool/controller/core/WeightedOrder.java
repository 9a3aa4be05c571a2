package io.gpupool.controller.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

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
   * @param shortness the most the shortness term adds: {@code shortness * s / (s + estimate)} for a
   *     task with a (user-given or learned) run-time estimate, 0 without one; s is {@code
   *     shortnessScale}. Favouring short work cuts the average wait (as shortest-job-first does)
   *     while aging still bounds how long anything waits.
   * @param shortnessScale the run time that earns half the shortness term
   */
  public record Weights(
      double compute,
      double time,
      double memory,
      double aging,
      Duration agingHorizon,
      double shortness,
      Duration shortnessScale) {
    /** The origin's defaults 0.5/0.3/0.2, and aging worth all of them per hour of waiting. */
    public static final Weights DEFAULT = new Weights(0.5, 0.3, 0.2, 1.0, Duration.ofHours(1));

    public Weights {
      if (compute < 0 || time < 0 || memory < 0 || aging < 0 || shortness < 0) {
        throw new IllegalArgumentException("weights must not be negative");
      }
      if (agingHorizon.isNegative() || agingHorizon.isZero()) {
        throw new IllegalArgumentException("the aging horizon must be positive");
      }
      if (shortnessScale.isNegative() || shortnessScale.isZero()) {
        throw new IllegalArgumentException("the shortness scale must be positive");
      }
    }

    /** The origin's terms and aging, without a shortness term. */
    public Weights(
        double compute, double time, double memory, double aging, Duration agingHorizon) {
      this(compute, time, memory, aging, agingHorizon, 0, Duration.ofHours(1));
    }

    /** The same weights with a shortness term. */
    public Weights withShortness(double weight, Duration scale) {
      return new Weights(compute, time, memory, aging, agingHorizon, weight, scale);
    }

    /** The same weights with another aging rate. */
    public Weights withAging(double weight, Duration horizon) {
      return new Weights(compute, time, memory, weight, horizon, shortness, shortnessScale);
    }
  }

  /** P for a task at the snapshot's time. */
  double priority(PendingTask task, ClusterSnapshot snapshot) {
    TaskProfile p = task.profile();
    double waited = Math.max(0, Duration.between(task.submitTime(), snapshot.now()).toMillis());
    double aging = weights.aging() * waited / weights.agingHorizon().toMillis();
    double shortness = 0;
    if (weights.shortness() > 0) {
      Optional<Duration> estimate = snapshot.estimates().estimate(p);
      if (estimate.isPresent()) {
        double scale = weights.shortnessScale().toMillis();
        shortness = weights.shortness() * scale / (scale + estimate.get().toMillis());
      }
    }
    return weights.compute() * p.computeIntensity()
        + weights.time() * p.timeSensitivity()
        + weights.memory() * p.memoryNeed()
        + aging
        + shortness;
  }

  @Override
  public List<PendingTask> order(ClusterSnapshot snapshot) {
    // P is computed once per task, not once per comparison: a sort compares each task about
    // log2(n) times, and P builds a Duration every time.
    List<PendingTask> queue = snapshot.queue();
    Keyed[] keyed = new Keyed[queue.size()];
    for (int i = 0; i < keyed.length; i++) {
      PendingTask task = queue.get(i);
      keyed[i] = new Keyed(task, task.profile().priority(), priority(task, snapshot));
    }
    Arrays.sort(keyed, Keyed.ORDER);
    List<PendingTask> order = new ArrayList<>(keyed.length);
    for (Keyed k : keyed) {
      order.add(k.task);
    }
    return order;
  }

  /** A task with its sort keys. */
  private record Keyed(PendingTask task, int priorityClass, double p) {
    /** Higher class first, then higher P, then earlier submission. */
    static final Comparator<Keyed> ORDER =
        (a, b) -> {
          int byClass = Integer.compare(b.priorityClass, a.priorityClass);
          if (byClass != 0) {
            return byClass;
          }
          int byP = Double.compare(b.p, a.p);
          return byP != 0 ? byP : Long.compare(a.task.sequence(), b.task.sequence());
        };
  }
}
