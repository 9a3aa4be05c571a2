package io.gpupool.controller.core;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/** The scheduling policies by name: what {@code --policy} and the simulator accept. */
public final class Policies {
  private static final Map<String, Function<Tuning, SchedulingPolicy>> BY_NAME = new TreeMap<>();

  static {
    BY_NAME.put("fifo", t -> scheduler("fifo", new FifoOrder(), PolicyConfig.Backfill.NONE, t));
    BY_NAME.put(
        "first-fit", t -> scheduler("first-fit", new FifoOrder(), PolicyConfig.Backfill.GREEDY, t));
    BY_NAME.put(
        "weighted",
        t -> scheduler("weighted", new WeightedOrder(t.weights()), PolicyConfig.Backfill.EASY, t));
    BY_NAME.put(
        "fair",
        t ->
            scheduler(
                "fair", new FairShareOrder(t.tenantWeights()), PolicyConfig.Backfill.EASY, t));
    BY_NAME.put(
        "sjf", t -> scheduler("sjf", new ShortestJobFirstOrder(), PolicyConfig.Backfill.EASY, t));
    BY_NAME.put(
        "default",
        t -> scheduler("default", new WeightedOrder(t.weights()), PolicyConfig.Backfill.EASY, t));
  }

  private Policies() {}

  /** The names {@link #create} accepts, sorted. */
  public static List<String> names() {
    return List.copyOf(BY_NAME.keySet());
  }

  /** A new instance of the named policy with the default tuning. */
  public static SchedulingPolicy create(String name) {
    return create(name, Tuning.DEFAULT);
  }

  /**
   * A new instance of the named policy with the given tuning.
   *
   * @throws IllegalArgumentException naming the valid policies when {@code name} is not one
   */
  public static SchedulingPolicy create(String name, Tuning tuning) {
    Function<Tuning, SchedulingPolicy> factory = BY_NAME.get(name);
    if (factory == null) {
      throw new IllegalArgumentException(
          "unknown policy '" + name + "'; known policies: " + String.join(", ", names()));
    }
    SchedulingPolicy policy = factory.apply(tuning);
    return tuning.powerBudgetWatts() > 0
        ? new PowerBudget(policy, tuning.powerBudgetWatts())
        : policy;
  }

  private static SchedulingPolicy scheduler(
      String name, QueueOrder order, PolicyConfig.Backfill backfill, Tuning tuning) {
    return new PolicyScheduler(
        new PolicyConfig(
            name,
            order,
            backfill,
            tuning.scorers(),
            tuning.tenantMaxGpus(),
            16,
            Duration.ZERO,
            name.equals("default") ? tuning.reserveAfterMedianWaits() : 0));
  }
}
