package io.gpupool.controller.sim;

import java.util.Arrays;

/**
 * Queue length and busy GPUs over a simulation, as step functions: each point holds from its time
 * until the next point's.
 *
 * <p>Written by the simulator while it runs (points in time order), read afterwards. Not
 * thread-safe while written; safe to read from any thread once the result is published.
 */
public final class Timeline {
  private long[] times = new long[64];
  private int[] queued = new int[64];
  private int[] busy = new int[64];
  private int size;

  Timeline() {}

  /** Records the state from {@code timeMillis} on; a later call for the same time replaces it. */
  void record(long timeMillis, int queuedTasks, int busyGpus) {
    if (size > 0) {
      if (timeMillis < times[size - 1]) {
        throw new IllegalArgumentException(
            "time went back from " + times[size - 1] + " to " + timeMillis);
      }
      if (queued[size - 1] == queuedTasks && busy[size - 1] == busyGpus) {
        return;
      }
      if (times[size - 1] == timeMillis) {
        size--;
      }
    }
    if (size == times.length) {
      times = Arrays.copyOf(times, size * 2);
      queued = Arrays.copyOf(queued, size * 2);
      busy = Arrays.copyOf(busy, size * 2);
    }
    times[size] = timeMillis;
    queued[size] = queuedTasks;
    busy[size] = busyGpus;
    size++;
  }

  /** How many points there are. */
  public int size() {
    return size;
  }

  /** Time of point {@code i}, milliseconds from the trace start. */
  public long timeMillis(int i) {
    return times[check(i)];
  }

  /** Tasks waiting in the queue from point {@code i} on. */
  public int queued(int i) {
    return queued[check(i)];
  }

  /** GPUs held by running tasks from point {@code i} on. */
  public int busyGpus(int i) {
    return busy[check(i)];
  }

  /**
   * The time-weighted average queue length in each of {@code buckets} equal intervals that split
   * {@code [fromMillis, toMillis)}.
   */
  public double[] averageQueued(long fromMillis, long toMillis, int buckets) {
    return average(queued, fromMillis, toMillis, buckets);
  }

  /**
   * The time-weighted average number of busy GPUs in each of {@code buckets} equal intervals that
   * split {@code [fromMillis, toMillis)}.
   */
  public double[] averageBusyGpus(long fromMillis, long toMillis, int buckets) {
    return average(busy, fromMillis, toMillis, buckets);
  }

  private double[] average(int[] values, long from, long to, int buckets) {
    if (buckets < 1 || to <= from) {
      throw new IllegalArgumentException(
          "need at least one bucket and a non-empty interval, got "
              + buckets
              + " over ["
              + from
              + ", "
              + to
              + ")");
    }
    double width = (double) (to - from) / buckets;
    double[] sums = new double[buckets];
    for (int i = 0; i < size; i++) {
      long start = Math.max(times[i], from);
      long end = Math.min(i + 1 < size ? times[i + 1] : to, to);
      if (end <= start || values[i] == 0) {
        continue;
      }
      int first = (int) Math.min(buckets - 1, (start - from) / width);
      for (int b = first; b < buckets; b++) {
        double bucketStart = from + b * width;
        double bucketEnd = b == buckets - 1 ? to : from + (b + 1) * width;
        double overlap = Math.min(end, bucketEnd) - Math.max(start, bucketStart);
        if (overlap > 0) {
          sums[b] += overlap * values[i];
        }
        if (bucketEnd >= end) {
          break;
        }
      }
    }
    for (int b = 0; b < buckets; b++) {
      double bucketStart = from + b * width;
      double bucketEnd = b == buckets - 1 ? to : from + (b + 1) * width;
      sums[b] /= bucketEnd - bucketStart;
    }
    return sums;
  }

  private int check(int i) {
    if (i < 0 || i >= size) {
      throw new IndexOutOfBoundsException("point " + i + " of " + size);
    }
    return i;
  }
}
