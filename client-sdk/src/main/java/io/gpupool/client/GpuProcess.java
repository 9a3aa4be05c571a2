package io.gpupool.client;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A process using a GPU, as the node's driver lists it. Immutable.
 *
 * @param pid process id on the node
 * @param usedMemoryBytes device memory the process uses; empty when the driver does not say
 * @param taskId the gpupool task the process belongs to; empty when it is not one of ours
 */
public record GpuProcess(int pid, OptionalLong usedMemoryBytes, Optional<String> taskId) {
  /** Checks that no component is null. */
  public GpuProcess {
    Objects.requireNonNull(usedMemoryBytes, "usedMemoryBytes");
    Objects.requireNonNull(taskId, "taskId");
  }
}
