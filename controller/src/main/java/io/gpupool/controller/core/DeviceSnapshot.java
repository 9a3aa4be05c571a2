package io.gpupool.controller.core;

/**
 * One GPU as the core sees it.
 *
 * @param index device index on its node
 * @param model device model name
 * @param memoryBytes total device memory
 * @param healthy false when the device must not get new work
 * @param allocated true when a task holds it
 * @param utilization measured utilization in [0,1] (0 when unknown)
 * @param powerWatts measured power draw (0 when unknown)
 */
public record DeviceSnapshot(
    int index,
    String model,
    long memoryBytes,
    boolean healthy,
    boolean allocated,
    double utilization,
    double powerWatts) {

  /** A device without telemetry. */
  public DeviceSnapshot(
      int index, String model, long memoryBytes, boolean healthy, boolean allocated) {
    this(index, model, memoryBytes, healthy, allocated, 0, 0);
  }

  /** True when new work may be placed on it. */
  public boolean isFree() {
    return healthy && !allocated;
  }
}
