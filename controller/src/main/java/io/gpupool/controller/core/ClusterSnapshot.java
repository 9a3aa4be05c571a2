package io.gpupool.controller.core;

import java.time.Instant;
import java.util.List;

/**
 * Everything a scheduling decision may look at, frozen at one instant.
 *
 * @param now the decision time (from the controller's injected clock)
 * @param nodes every registered node, ready or not
 * @param queue pending tasks, in any order (policies order them)
 */
public record ClusterSnapshot(Instant now, List<NodeSnapshot> nodes, List<PendingTask> queue) {
  public ClusterSnapshot {
    nodes = List.copyOf(nodes);
    queue = List.copyOf(queue);
  }
}
