package io.gpupool.controller.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one end-to-end submit benchmark measured. Immutable and thread-safe.
 *
 * @param config what ran
 * @param elapsedNanos wall time from the first timed submit to the last response
 * @param p50LatencyNanos median time from sending a submit to its response
 * @param p99LatencyNanos 99th percentile of the same
 * @param maxLatencyNanos slowest submit
 * @param tasksStored tasks the run added to the store, counted through ListTasks afterwards: always
 *     {@code tasks + warmupTasks}, or the benchmark fails
 */
public record E2eBenchResult(
    E2eBenchConfig config,
    long elapsedNanos,
    long p50LatencyNanos,
    long p99LatencyNanos,
    long maxLatencyNanos,
    long tasksStored) {

  /** Durable submits per second of wall time. */
  public double submitsPerSecond() {
    return elapsedNanos == 0 ? 0 : config.tasks() * 1e9 / elapsedNanos;
  }

  /** The figures by name, in output order; values are Strings, Longs or Doubles. */
  public Map<String, Object> fields() {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("store", config.storeKind());
    fields.put("authentication", config.authentication() ? "on" : "off");
    fields.put("clients", (long) config.clients());
    fields.put("in_flight", (long) config.inFlight());
    fields.put("tasks", (long) config.tasks());
    fields.put("warmup_tasks", (long) config.warmupTasks());
    fields.put("tasks_stored", tasksStored);
    fields.put("elapsed_ms", Figures.round(elapsedNanos / 1e6, 1));
    fields.put("submits_per_s", Figures.round(submitsPerSecond(), 0));
    fields.put("p50_latency_ms", Figures.round(p50LatencyNanos / 1e6, 2));
    fields.put("p99_latency_ms", Figures.round(p99LatencyNanos / 1e6, 2));
    fields.put("max_latency_ms", Figures.round(maxLatencyNanos / 1e6, 2));
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
}
