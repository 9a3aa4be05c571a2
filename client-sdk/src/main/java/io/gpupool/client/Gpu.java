package io.gpupool.client;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A GPU of a node: what the agent registered, its latest sample, its allocation and whether it is
 * quarantined. Immutable.
 *
 * @param index index on its node, as NVML numbers the devices, from 0
 * @param uuid stable device UUID, e.g. {@code GPU-5f3c...}; simulated devices have {@code SIM-}
 *     UUIDs
 * @param model marketing name, e.g. {@code NVIDIA H100 80GB HBM3}
 * @param memoryTotalBytes total device memory
 * @param simulated true when the agent simulates the device
 * @param pciBusId PCI bus id, e.g. {@code 00000000:3B:00.0}; empty when unknown
 * @param computeCapability CUDA compute capability, e.g. {@code 9.0}; empty when unknown
 * @param status the latest sample; empty before the node's first heartbeat
 * @param allocatedTaskId id of the task the GPU is allocated to; empty when free
 * @param quarantine set while the GPU is quarantined and gets no new work except diagnostics
 * @param history recent samples, oldest first; empty unless asked for with {@link
 *     GpuPoolClient#listNodesWithHistory()}
 */
public record Gpu(
    int index,
    String uuid,
    String model,
    long memoryTotalBytes,
    boolean simulated,
    String pciBusId,
    String computeCapability,
    Optional<GpuStatus> status,
    Optional<String> allocatedTaskId,
    Optional<GpuQuarantine> quarantine,
    List<GpuSample> history) {
  /** Checks that no component is null and copies the history. */
  public Gpu {
    Objects.requireNonNull(uuid, "uuid");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(pciBusId, "pciBusId");
    Objects.requireNonNull(computeCapability, "computeCapability");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(allocatedTaskId, "allocatedTaskId");
    Objects.requireNonNull(quarantine, "quarantine");
    history = List.copyOf(history);
  }

  /** Returns whether the GPU may get new work: not quarantined, and healthy in its last sample. */
  public boolean usable() {
    return quarantine.isEmpty() && status.map(GpuStatus::healthy).orElse(true);
  }
}
