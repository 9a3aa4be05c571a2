package io.gpupool.client;

/**
 * The latest sample of a GPU's state, from the node's last heartbeat. Immutable.
 *
 * @param utilizationPercent GPU utilization over the last sample period, 0 to 100
 * @param memoryUsedBytes device memory in use
 * @param powerWatts power draw
 * @param temperatureCelsius temperature
 * @param healthy false when the device reported errors and gets no new work
 */
public record GpuStatus(
    double utilizationPercent,
    long memoryUsedBytes,
    double powerWatts,
    double temperatureCelsius,
    boolean healthy) {}
