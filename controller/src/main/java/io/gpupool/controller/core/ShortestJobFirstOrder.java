package io.gpupool.controller.core;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;

/**
 * Shortest expected run time first, using the user's estimate or the learned one; tasks without any
 * estimate go after those with one, in submission order.
 */
public final class ShortestJobFirstOrder implements QueueOrder {
  @Override
  public List<PendingTask> order(ClusterSnapshot snapshot) {
    Comparator<PendingTask> byEstimate =
        Comparator.comparingLong(
            (PendingTask t) ->
                snapshot
                    .estimates()
                    .estimate(t.profile())
                    .map(Duration::toMillis)
                    .orElse(Long.MAX_VALUE));
    return snapshot.queue().stream()
        .sorted(byEstimate.thenComparingLong(PendingTask::sequence))
        .toList();
  }
}
