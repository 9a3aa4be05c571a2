package io.gpupool.client;

import java.util.Objects;
import java.util.OptionalDouble;

/**
 * How one GPU did in a {@link Diagnostic} task. Immutable.
 *
 * @param deviceIndex the GPU's index on its node
 * @param deviceUuid the GPU's UUID
 * @param memoryBandwidthGbps measured device memory bandwidth in GB/s; empty when not run
 * @param fmaGflops measured FP32 FMA throughput in GFLOP/s; empty when not run
 * @param passed true when every check ran and produced correct results
 * @param message why it did not pass; empty when it passed
 */
public record DeviceDiagnostic(
    int deviceIndex,
    String deviceUuid,
    OptionalDouble memoryBandwidthGbps,
    OptionalDouble fmaGflops,
    boolean passed,
    String message) {
  /** Checks that no component is null. */
  public DeviceDiagnostic {
    Objects.requireNonNull(deviceUuid, "deviceUuid");
    Objects.requireNonNull(memoryBandwidthGbps, "memoryBandwidthGbps");
    Objects.requireNonNull(fmaGflops, "fmaGflops");
    Objects.requireNonNull(message, "message");
  }
}
