package io.gpupool.controller.core;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/** The scheduling policies by name: what {@code --policy} and the simulator accept. */
public final class Policies {
  private static final Map<String, Supplier<SchedulingPolicy>> BY_NAME = new TreeMap<>();

  /** Scorers of the greedy default: pack nodes, keep idle nodes idle. */
  private static final Map<NodeScorer, Double> PACK = orderedScorers();

  static {
    BY_NAME.put("fifo", () -> scheduler("fifo", new FifoOrder(), PolicyConfig.Backfill.NONE));
    BY_NAME.put(
        "first-fit", () -> scheduler("first-fit", new FifoOrder(), PolicyConfig.Backfill.GREEDY));
    BY_NAME.put(
        "weighted",
        () ->
            scheduler(
                "weighted",
                new WeightedOrder(WeightedOrder.Weights.DEFAULT),
                PolicyConfig.Backfill.EASY));
    BY_NAME.put(
        "fair", () -> scheduler("fair", new FairShareOrder(Map.of()), PolicyConfig.Backfill.EASY));
    BY_NAME.put(
        "sjf", () -> scheduler("sjf", new ShortestJobFirstOrder(), PolicyConfig.Backfill.EASY));
    BY_NAME.put(
        "default",
        () ->
            scheduler(
                "default",
                new WeightedOrder(WeightedOrder.Weights.DEFAULT),
                PolicyConfig.Backfill.EASY));
  }

  private static Map<NodeScorer, Double> orderedScorers() {
    Map<NodeScorer, Double> scorers = new LinkedHashMap<>();
    scorers.put(NodeScorer.BIN_PACK, 1.0);
    scorers.put(NodeScorer.ENERGY, 0.5);
    return scorers;
  }

  private static SchedulingPolicy scheduler(
      String name, QueueOrder order, PolicyConfig.Backfill backfill) {
    return new PolicyScheduler(new PolicyConfig(name, order, backfill, PACK, Map.of(), 16));
  }

  private Policies() {}

  /** The names {@link #create} accepts, sorted. */
  public static List<String> names() {
    return List.copyOf(BY_NAME.keySet());
  }

  /**
   * A new instance of the named policy.
   *
   * @throws IllegalArgumentException naming the valid policies when {@code name} is not one
   */
  public static SchedulingPolicy create(String name) {
    Supplier<SchedulingPolicy> factory = BY_NAME.get(name);
    if (factory == null) {
      throw new IllegalArgumentException(
          "unknown policy '" + name + "'; known policies: " + String.join(", ", names()));
    }
    return factory.get();
  }
}
