package io.gpupool.client;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * Progress reported by a workload, parsed by the node agent from a {@code ##gpupool progress=...}
 * line of its output. Immutable.
 *
 * @param percent percent complete, 0 to 100, if the workload said
 * @param step current step, if reported ({@code step=N} or {@code step=N/TOTAL})
 * @param totalSteps total number of steps, if reported ({@code step=N/TOTAL})
 * @param metrics other named numeric metrics of the line, e.g. {@code loss=0.31}
 * @param message free text after the key=value pairs; empty if none
 * @param time when the agent read the line
 */
public record Progress(
    OptionalDouble percent,
    OptionalLong step,
    OptionalLong totalSteps,
    Map<String, Double> metrics,
    String message,
    Instant time) {
  /** Checks that no component is null and copies the metrics. */
  public Progress {
    Objects.requireNonNull(percent, "percent");
    Objects.requireNonNull(step, "step");
    Objects.requireNonNull(totalSteps, "totalSteps");
    metrics = Map.copyOf(metrics);
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(time, "time");
  }
}
