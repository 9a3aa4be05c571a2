package io.gpupool.controller.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Shortest expected run time first, using the user's estimate or the learned one; tasks without any
 * estimate go after those with one, in submission order.
 */
public final class ShortestJobFirstOrder implements QueueOrder {
  @Override
  public List<PendingTask> order(ClusterSnapshot snapshot) {
    // Each estimate is looked up once per task, not once per comparison.
    List<PendingTask> queue = snapshot.queue();
    Keyed[] keyed = new Keyed[queue.size()];
    for (int i = 0; i < keyed.length; i++) {
      PendingTask task = queue.get(i);
      long millis =
          snapshot
              .estimates()
              .estimate(task.profile())
              .map(Duration::toMillis)
              .orElse(Long.MAX_VALUE);
      keyed[i] = new Keyed(task, millis);
    }
    Arrays.sort(keyed, Keyed.ORDER);
    List<PendingTask> order = new ArrayList<>(keyed.length);
    for (Keyed k : keyed) {
      order.add(k.task);
    }
    return order;
  }

  /** A task with its expected run time in milliseconds (MAX_VALUE when unknown). */
  private record Keyed(PendingTask task, long estimateMillis) {
    static final Comparator<Keyed> ORDER =
        (a, b) -> {
          int byEstimate = Long.compare(a.estimateMillis, b.estimateMillis);
          return byEstimate != 0 ? byEstimate : Long.compare(a.task.sequence(), b.task.sequence());
        };
  }
}
