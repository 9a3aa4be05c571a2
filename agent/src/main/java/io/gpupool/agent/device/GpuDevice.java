package io.gpupool.agent.device;

import java.util.Objects;

/**
 * One GPU as the node's inventory lists it; static for the life of the device.
 *
 * @param index index as the driver numbers the device, from 0
 * @param uuid stable device UUID ("GPU-..." for real devices, "SIM-..." for simulated ones)
 * @param model marketing name, e.g. "NVIDIA H100 80GB"
 * @param memoryTotalBytes total device memory in bytes
 * @param simulated true when the device does not exist and its telemetry is made up
 * @param interconnectGroup the NVLink/NVSwitch island ("" when unknown)
 * @param powerLimitWatts the enforced power limit (0 when unknown)
 * @param pciBusId PCI bus id as NVML prints it, e.g. "00000000:3B:00.0" ("" when unknown); CUDA
 *     device ordinals are matched to indices by it
 * @param computeCapability CUDA compute capability, e.g. "9.0" ("" when unknown)
 * @param multiprocessorCount streaming multiprocessors, from CUDA (0 when unknown)
 */
public record GpuDevice(
    int index,
    String uuid,
    String model,
    long memoryTotalBytes,
    boolean simulated,
    String interconnectGroup,
    double powerLimitWatts,
    String pciBusId,
    String computeCapability,
    int multiprocessorCount) {

  /** Checks the fields. */
  public GpuDevice {
    if (index < 0) {
      throw new IllegalArgumentException("index must not be negative: " + index);
    }
    Objects.requireNonNull(uuid, "uuid");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(interconnectGroup, "interconnectGroup");
    Objects.requireNonNull(pciBusId, "pciBusId");
    Objects.requireNonNull(computeCapability, "computeCapability");
    if (memoryTotalBytes <= 0) {
      throw new IllegalArgumentException("memoryTotalBytes must be positive: " + memoryTotalBytes);
    }
  }
}
