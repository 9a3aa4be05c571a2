package io.gpupool.controller.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one scheduler benchmark measured. Immutable and thread-safe.
 *
 * @param config what ran
 * @param warmup the smaller run that warmed the JVM up first; null when there was none
 * @param passes scheduling passes run
 * @param placements tasks placed, over all passes
 * @param preemptions running tasks the policy chose to preempt
 * @param unplaced tasks still pending when the run ended
 * @param totalGpus GPUs in the cluster
 * @param peakBusyGpus the most GPUs busy at once (never more than {@code totalGpus})
 * @param scheduleNanos time spent inside {@code schedule()}, over all passes
 * @param scheduleCpuNanos CPU time of the scheduling thread inside {@code schedule()}; less than
 *     {@code scheduleNanos} when other processes share the cores (JVM threads such as the garbage
 *     collector's are not counted)
 * @param decisions task decisions timed
 * @param p50DecisionNanos median decision latency
 * @param p99DecisionNanos 99th percentile decision latency
 * @param maxDecisionNanos slowest decision
 * @param heapMb used heap after the run, after a garbage collection, with the cluster still held
 */
public record BenchResult(
    BenchConfig config,
    BenchConfig warmup,
    int passes,
    long placements,
    long preemptions,
    int unplaced,
    int totalGpus,
    int peakBusyGpus,
    long scheduleNanos,
    long scheduleCpuNanos,
    long decisions,
    long p50DecisionNanos,
    long p99DecisionNanos,
    long maxDecisionNanos,
    long heapMb) {

  /** Placements per second of time inside {@code schedule()}. */
  public double placementsPerSecond() {
    return scheduleNanos == 0 ? 0 : placements * 1e9 / scheduleNanos;
  }

  /** The figures by name, in output order; values are Strings, Longs, Doubles or Booleans. */
  public Map<String, Object> fields() {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("policy", config.policy());
    fields.put("nodes", (long) config.nodes());
    fields.put("gpus_per_node", (long) config.gpusPerNode());
    fields.put("gpus", (long) totalGpus);
    fields.put("tasks", (long) config.tasks());
    fields.put("seed", config.seed());
    fields.put("warmed_up", warmup != null);
    if (warmup != null) {
      fields.put("warmup_nodes", (long) warmup.nodes());
      fields.put("warmup_tasks", (long) warmup.tasks());
    }
    fields.put("passes", (long) passes);
    fields.put("placements", placements);
    fields.put("unplaced", (long) unplaced);
    fields.put("preemptions", preemptions);
    fields.put("peak_gpus_busy", (long) peakBusyGpus);
    fields.put("schedule_ms", round(scheduleNanos / 1e6, 1));
    fields.put("schedule_cpu_ms", round(scheduleCpuNanos / 1e6, 1));
    fields.put("placements_per_s", round(placementsPerSecond(), 0));
    fields.put("decisions", decisions);
    fields.put("p50_decision_us", round(p50DecisionNanos / 1e3, 2));
    fields.put("p99_decision_us", round(p99DecisionNanos / 1e3, 2));
    fields.put("max_decision_us", round(maxDecisionNanos / 1e3, 1));
    fields.put("heap_mb", heapMb);
    return fields;
  }

  /** Aligned {@code key value} lines, one per figure, ending in a newline. */
  public String toText() {
    return Figures.text(fields());
  }

  /** One JSON object on one line, keys in the order of {@link #fields()}. */
  public String toJson() {
    return Figures.json(fields());
  }

  private static double round(double value, int decimals) {
    return Figures.round(value, decimals);
  }
}
