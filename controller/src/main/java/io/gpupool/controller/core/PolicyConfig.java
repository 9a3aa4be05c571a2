package io.gpupool.controller.core;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a {@link PolicyScheduler} decides: the queue order, whether later tasks may pass a blocked
 * one, how nodes are scored, and per-tenant GPU quotas.
 *
 * @param name the policy's name, for reports and {@code gpupool} output
 * @param order the queue order
 * @param backfill whether and how later tasks may start before a blocked one
 * @param scorers node scorers and their weights
 * @param tenantMaxGpus the most GPUs each named tenant may hold at once
 * @param candidateLimit how many feasible nodes are scored per task (the best of them wins)
 * @param reserveAfter with EASY backfill, how long a blocked task must have waited before it holds
 *     a reservation (Slurm's bf_min_age_reserve); until then later tasks pass it freely
 * @param reserveAfterMedianWaits when positive, a blocked task also needs to have waited this many
 *     times the queue's median wait before it holds a reservation
 */
public record PolicyConfig(
    String name,
    QueueOrder order,
    Backfill backfill,
    Map<NodeScorer, Double> scorers,
    Map<String, Integer> tenantMaxGpus,
    int candidateLimit,
    Duration reserveAfter,
    double reserveAfterMedianWaits) {

  /** What happens to tasks behind one that does not fit. */
  public enum Backfill {
    /** Strict order: nothing passes a task that does not fit (head-of-line blocking). */
    NONE,
    /**
     * Greedy: any later task that fits starts, with no reservation (big tasks may starve behind a
     * stream of small ones; kept as a baseline).
     */
    GREEDY,
    /**
     * EASY backfill: the first task that does not fit holds a reservation; later tasks start if
     * they fit beside it, or on its GPUs when they are expected to end before it can start.
     */
    EASY
  }

  public PolicyConfig {
    scorers = new LinkedHashMap<>(scorers);
    tenantMaxGpus = Map.copyOf(tenantMaxGpus);
    if (reserveAfter.isNegative()) {
      throw new IllegalArgumentException("reserveAfter must not be negative");
    }
    if (candidateLimit < 1) {
      throw new IllegalArgumentException("candidateLimit must be at least 1");
    }
  }

  /** A configuration that reserves for a blocked task at once. */
  public PolicyConfig(
      String name,
      QueueOrder order,
      Backfill backfill,
      Map<NodeScorer, Double> scorers,
      Map<String, Integer> tenantMaxGpus,
      int candidateLimit) {
    this(name, order, backfill, scorers, tenantMaxGpus, candidateLimit, Duration.ZERO, 0);
  }

  /** True when bin-packing outweighs spreading, so the tightest nodes are tried first. */
  boolean tightestFirst() {
    return scorers.getOrDefault(NodeScorer.BIN_PACK, 0.0)
        >= scorers.getOrDefault(NodeScorer.SPREAD, 0.0);
  }
}
