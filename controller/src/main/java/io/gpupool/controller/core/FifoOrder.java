package io.gpupool.controller.core;

import java.util.Comparator;
import java.util.List;

/** Submission order. */
public final class FifoOrder implements QueueOrder {
  @Override
  public List<PendingTask> order(ClusterSnapshot snapshot) {
    return snapshot.queue().stream()
        .sorted(Comparator.comparingLong(PendingTask::sequence))
        .toList();
  }
}
