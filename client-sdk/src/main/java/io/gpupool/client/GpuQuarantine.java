package io.gpupool.client;

import java.time.Instant;
import java.util.Objects;

/**
 * Why the controller keeps new work off a GPU. It lasts until a diagnostic task passes on the GPU
 * or an admin calls {@link GpuPoolClient#clearGpuQuarantine}. Immutable.
 *
 * @param reason the health report that started it, e.g. {@code XID 48 (double-bit ECC error)}
 * @param since when it started
 */
public record GpuQuarantine(String reason, Instant since) {
  /** Checks that no component is null. */
  public GpuQuarantine {
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(since, "since");
  }
}
