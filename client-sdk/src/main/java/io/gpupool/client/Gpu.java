package io.gpupool.client;

import java.util.Objects;
import java.util.Optional;

/**
 * A GPU of a node: what the agent registered, its latest sample and its allocation. Immutable.
 *
 * @param index index on its node, as NVML numbers the devices, from 0
 * @param uuid stable device UUID, e.g. {@code GPU-5f3c...}; simulated devices have {@code SIM-}
 *     UUIDs
 * @param model marketing name, e.g. {@code NVIDIA H100 80GB HBM3}
 * @param memoryTotalBytes total device memory
 * @param simulated true when the agent simulates the device
 * @param status the latest sample; empty before the node's first heartbeat
 * @param allocatedTaskId id of the task the GPU is allocated to; empty when free
 */
public record Gpu(
    int index,
    String uuid,
    String model,
    long memoryTotalBytes,
    boolean simulated,
    Optional<GpuStatus> status,
    Optional<String> allocatedTaskId) {
  /** Checks that no component is null. */
  public Gpu {
    Objects.requireNonNull(uuid, "uuid");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(allocatedTaskId, "allocatedTaskId");
  }
}
