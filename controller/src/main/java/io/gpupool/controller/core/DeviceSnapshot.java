package io.gpupool.controller.core;

/**
 * One GPU as the core sees it.
 *
 * @param index device index on its node
 * @param model device model name
 * @param memoryBytes total device memory
 * @param healthy false when the device must not get new work (it is quarantined); only a diagnostic
 *     pinned to it may still be placed there
 * @param allocated true when a task holds it
 * @param utilization measured utilization in [0,1]; {@link Double#NaN} when unknown (no sample, or
 *     the driver does not say), which is not the same as idle
 * @param powerWatts measured power draw; {@link Double#NaN} when unknown
 * @param sharedBytes memory promised to fractional tasks sharing the device (0 when none)
 * @param interconnectGroup the NVLink/NVSwitch island the device belongs to ("" when unknown)
 * @param powerLimitWatts the device's power limit (0 when unknown)
 */
public record DeviceSnapshot(
    int index,
    String model,
    long memoryBytes,
    boolean healthy,
    boolean allocated,
    double utilization,
    double powerWatts,
    long sharedBytes,
    String interconnectGroup,
    double powerLimitWatts) {

  public DeviceSnapshot {
    interconnectGroup = interconnectGroup == null ? "" : interconnectGroup;
  }

  /** A device without topology or power limit. */
  public DeviceSnapshot(
      int index,
      String model,
      long memoryBytes,
      boolean healthy,
      boolean allocated,
      double utilization,
      double powerWatts,
      long sharedBytes) {
    this(
        index, model, memoryBytes, healthy, allocated, utilization, powerWatts, sharedBytes, "", 0);
  }

  /** A device without fractional tasks. */
  public DeviceSnapshot(
      int index,
      String model,
      long memoryBytes,
      boolean healthy,
      boolean allocated,
      double utilization,
      double powerWatts) {
    this(index, model, memoryBytes, healthy, allocated, utilization, powerWatts, 0);
  }

  /** A device without telemetry (utilization and power unknown). */
  public DeviceSnapshot(
      int index, String model, long memoryBytes, boolean healthy, boolean allocated) {
    this(index, model, memoryBytes, healthy, allocated, Double.NaN, Double.NaN, 0);
  }

  /** True when the device reported its utilization. */
  public boolean hasUtilization() {
    return !Double.isNaN(utilization);
  }

  /** True when the device reported its power draw. */
  public boolean hasPowerWatts() {
    return !Double.isNaN(powerWatts);
  }

  /**
   * Utilization in [0,1]: as measured, or when unknown estimated from what the scheduler gave it
   * (busy when a task holds it or shares it, else idle).
   */
  public double utilizationOrEstimate() {
    if (hasUtilization()) {
      return utilization;
    }
    return allocated || sharedBytes > 0 ? 1.0 : 0.0;
  }

  /** True when no task holds the device or a share of it (whatever its health). */
  public boolean isIdle() {
    return !allocated && sharedBytes == 0;
  }

  /** True when a task may take the whole device. */
  public boolean isFree() {
    return healthy && isIdle();
  }

  /** True when fractional tasks may (still) share the device. */
  public boolean isShareable() {
    return healthy && !allocated;
  }
}
