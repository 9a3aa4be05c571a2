package io.gpupool.controller.core;

import java.time.Instant;
import java.util.List;
import java.util.OptionalDouble;

/**
 * A task holding GPUs (scheduled or running).
 *
 * @param id task id
 * @param nodeId where it runs
 * @param deviceIndices the GPUs it holds
 * @param request what it asked for
 * @param profile who it runs for (tenant, priority, whether it may be preempted)
 * @param startTime when it was placed
 * @param progress fraction done in [0,1] as the workload last reported, if it did
 * @param beingPreempted true once it was told to stop for higher-priority work
 */
public record RunningTask(
    String id,
    String nodeId,
    List<Integer> deviceIndices,
    ResourceRequest request,
    TaskProfile profile,
    Instant startTime,
    OptionalDouble progress,
    boolean beingPreempted) {
  public RunningTask {
    deviceIndices = List.copyOf(deviceIndices);
  }

  /** A task that is not being preempted. */
  public RunningTask(
      String id,
      String nodeId,
      List<Integer> deviceIndices,
      ResourceRequest request,
      TaskProfile profile,
      Instant startTime,
      OptionalDouble progress) {
    this(id, nodeId, deviceIndices, request, profile, startTime, progress, false);
  }
}
