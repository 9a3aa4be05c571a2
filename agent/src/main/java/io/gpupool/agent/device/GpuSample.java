package io.gpupool.agent.device;

/**
 * A sample of one GPU's state, as sent with every heartbeat.
 *
 * @param index index of the device the sample is for
 * @param utilizationPercent GPU utilization over the last sample period, 0 to 100
 * @param memoryUsedBytes device memory in use
 * @param powerWatts power draw
 * @param temperatureCelsius temperature
 * @param healthy false when the device reported errors and must not get new work
 */
public record GpuSample(
    int index,
    double utilizationPercent,
    long memoryUsedBytes,
    double powerWatts,
    double temperatureCelsius,
    boolean healthy) {}
