package io.gpupool.controller.sim;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * What no policy can beat on a trace and cluster, for judging how far a policy is from the best
 * possible (rigid jobs: a job always runs on its GPU count for its full duration).
 *
 * <ul>
 *   <li>Makespan (last completion minus first arrival) is at least, over every job j: its arrival
 *       plus its duration; and its arrival plus the GPU-seconds of all jobs arriving at or after
 *       it, spread over all GPUs (for the first job: the total work bound).
 *   <li>Average job completion time is at least the mean duration; and at least the mean flow time
 *       of preemptive shortest-remaining-work-first on one machine as fast as the whole cluster (a
 *       relaxation in which any job may use every GPU and be paused at no cost, where that order is
 *       optimal).
 * </ul>
 *
 * @param makespanSeconds lower bound on the makespan
 * @param avgJctSeconds lower bound on the average job completion time
 */
public record LowerBounds(double makespanSeconds, double avgJctSeconds) {

  /** The bounds for {@code jobs} (all of which some node can hold) on {@code gpus} GPUs. */
  public static LowerBounds of(List<TraceJob> jobs, int gpus) {
    if (gpus < 1) {
      throw new IllegalArgumentException("gpus must be at least 1, got " + gpus);
    }
    if (jobs.isEmpty()) {
      return new LowerBounds(0, 0);
    }
    List<TraceJob> sorted = new ArrayList<>(jobs);
    sorted.sort(TraceJob.SUBMIT_ORDER);
    return new LowerBounds(makespan(sorted, gpus), avgJct(sorted, gpus));
  }

  private static double makespan(List<TraceJob> sorted, int gpus) {
    double first = sorted.get(0).submitMillis();
    double laterWork = 0;
    double bound = 0;
    for (int i = sorted.size() - 1; i >= 0; i--) {
      TraceJob job = sorted.get(i);
      laterWork += (double) job.gpus() * job.durationMillis();
      bound =
          Math.max(
              bound,
              Math.max(
                  job.submitMillis() + job.durationMillis(),
                  job.submitMillis() + laterWork / gpus));
    }
    return (bound - first) / 1000;
  }

  private static double avgJct(List<TraceJob> sorted, int gpus) {
    double durations = 0;
    for (TraceJob job : sorted) {
      durations += job.durationMillis();
    }
    return Math.max(durations, fluidShortestRemainingWorkFirst(sorted, gpus))
        / sorted.size()
        / 1000;
  }

  /** Sum of flow times (ms) on one machine doing {@code gpus} GPU-ms per ms, SRPT order. */
  private static double fluidShortestRemainingWorkFirst(List<TraceJob> sorted, int gpus) {
    PriorityQueue<double[]> remaining =
        new PriorityQueue<>(Comparator.comparingDouble((double[] r) -> r[0]));
    double flow = 0;
    double now = 0;
    int next = 0;
    while (next < sorted.size() || !remaining.isEmpty()) {
      if (remaining.isEmpty()) {
        now = Math.max(now, sorted.get(next).submitMillis());
      }
      while (next < sorted.size() && sorted.get(next).submitMillis() <= now) {
        TraceJob job = sorted.get(next++);
        remaining.add(
            new double[] {(double) job.gpus() * job.durationMillis(), job.submitMillis()});
      }
      double[] shortest = remaining.peek();
      double finish = now + shortest[0] / gpus;
      double nextArrival =
          next < sorted.size() ? sorted.get(next).submitMillis() : Double.MAX_VALUE;
      if (finish <= nextArrival) {
        remaining.poll();
        flow += finish - shortest[1];
        now = finish;
      } else {
        // Shrinking the smallest entry keeps it the smallest: the heap stays valid.
        shortest[0] -= (nextArrival - now) * gpus;
        now = nextArrival;
      }
    }
    return flow;
  }
}
