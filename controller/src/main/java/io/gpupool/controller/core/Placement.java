package io.gpupool.controller.core;

import java.util.List;

/**
 * A decision to run a task on devices of one node.
 *
 * @param taskId the task
 * @param nodeId the node
 * @param deviceIndices the GPUs on that node, ascending
 */
public record Placement(String taskId, String nodeId, List<Integer> deviceIndices) {
  public Placement {
    deviceIndices = List.copyOf(deviceIndices);
  }
}
