package io.gpupool.controller.core;

import java.time.Instant;
import java.util.List;

/**
 * Everything a scheduling decision may look at, frozen at one instant.
 *
 * @param now the decision time (from the controller's injected clock, or the simulator's)
 * @param nodes every registered node, ready or not
 * @param queue pending tasks, in any order (policies order them)
 * @param running tasks holding GPUs now
 * @param estimates runtime estimates learned from finished tasks (never true durations)
 */
public record ClusterSnapshot(
    Instant now,
    List<NodeSnapshot> nodes,
    List<PendingTask> queue,
    List<RunningTask> running,
    RuntimeEstimates estimates) {
  public ClusterSnapshot {
    nodes = List.copyOf(nodes);
    queue = List.copyOf(queue);
    running = List.copyOf(running);
  }

  /** A snapshot with nothing running and nothing learned. */
  public ClusterSnapshot(Instant now, List<NodeSnapshot> nodes, List<PendingTask> queue) {
    this(now, nodes, queue, List.of(), RuntimeEstimates.NONE);
  }
}
