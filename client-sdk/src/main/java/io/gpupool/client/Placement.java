package io.gpupool.client;

import java.util.List;
import java.util.Objects;

/**
 * Where a task runs or ran: the node and the GPUs on it. Immutable.
 *
 * @param nodeId the node's stable id
 * @param nodeName the node's name at placement time
 * @param deviceIndices indices of the assigned GPUs on that node, as NVML numbers them
 * @param deviceUuids UUIDs of the assigned GPUs, in the order of {@code deviceIndices}
 */
public record Placement(
    String nodeId, String nodeName, List<Integer> deviceIndices, List<String> deviceUuids) {
  /** Checks that no component is null and copies the lists. */
  public Placement {
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(nodeName, "nodeName");
    deviceIndices = List.copyOf(deviceIndices);
    deviceUuids = List.copyOf(deviceUuids);
  }
}
