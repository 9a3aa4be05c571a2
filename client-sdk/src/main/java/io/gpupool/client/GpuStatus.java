package io.gpupool.client;

import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * A sample of a GPU's state, as the node's agent took it. Immutable.
 *
 * <p>A measurement the device or its driver does not support is empty ("unknown"), never zero.
 *
 * @param utilizationPercent GPU utilization over the last sample period, 0 to 100
 * @param memoryUtilizationPercent memory controller utilization over the last sample period
 * @param memoryUsedBytes device memory in use
 * @param powerWatts power draw
 * @param powerLimitWatts the power limit in force when the sample was taken
 * @param temperatureCelsius temperature
 * @param eccCorrectedVolatile corrected ECC errors since the driver was loaded
 * @param eccUncorrectedVolatile uncorrected ECC errors since the driver was loaded
 * @param nvlinkActiveLinks NVLink links that are up; empty without NVLink
 * @param processes compute processes running on the device
 * @param healthy false when the device reported errors and gets no new work
 * @param healthReason why it is unhealthy, e.g. {@code XID 79 (GPU has fallen off the bus)}; empty
 *     when healthy
 */
public record GpuStatus(
    OptionalDouble utilizationPercent,
    OptionalDouble memoryUtilizationPercent,
    OptionalLong memoryUsedBytes,
    OptionalDouble powerWatts,
    OptionalDouble powerLimitWatts,
    OptionalDouble temperatureCelsius,
    OptionalLong eccCorrectedVolatile,
    OptionalLong eccUncorrectedVolatile,
    OptionalInt nvlinkActiveLinks,
    List<GpuProcess> processes,
    boolean healthy,
    String healthReason) {
  /** Checks that no component is null and copies the processes. */
  public GpuStatus {
    Objects.requireNonNull(utilizationPercent, "utilizationPercent");
    Objects.requireNonNull(memoryUtilizationPercent, "memoryUtilizationPercent");
    Objects.requireNonNull(memoryUsedBytes, "memoryUsedBytes");
    Objects.requireNonNull(powerWatts, "powerWatts");
    Objects.requireNonNull(powerLimitWatts, "powerLimitWatts");
    Objects.requireNonNull(temperatureCelsius, "temperatureCelsius");
    Objects.requireNonNull(eccCorrectedVolatile, "eccCorrectedVolatile");
    Objects.requireNonNull(eccUncorrectedVolatile, "eccUncorrectedVolatile");
    Objects.requireNonNull(nvlinkActiveLinks, "nvlinkActiveLinks");
    processes = List.copyOf(processes);
    Objects.requireNonNull(healthReason, "healthReason");
  }
}
