package io.gpupool.client;

import java.time.Instant;
import java.util.Objects;

/**
 * One past sample of a GPU, from {@link GpuPoolClient#listNodesWithHistory()}. Immutable.
 *
 * @param time when the agent took the sample
 * @param status the sample
 */
public record GpuSample(Instant time, GpuStatus status) {
  /** Checks that no component is null. */
  public GpuSample {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(status, "status");
  }
}
