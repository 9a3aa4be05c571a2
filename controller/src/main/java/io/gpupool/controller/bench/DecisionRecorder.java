package io.gpupool.controller.bench;

import io.gpupool.controller.core.PolicyScheduler;
import java.util.Arrays;

/**
 * Times each decision the scheduler reports with {@link System#nanoTime} and keeps every sample, so
 * percentiles are exact. Allocates only when its buffer grows.
 *
 * <p>Not thread-safe: one scheduler thread at a time.
 */
final class DecisionRecorder implements PolicyScheduler.DecisionTimer {
  private long[] samples = new long[1 << 16];
  private int count;
  private long started;

  @Override
  public void begin() {
    started = System.nanoTime();
  }

  @Override
  public void end() {
    long elapsed = System.nanoTime() - started;
    if (count == samples.length) {
      samples = Arrays.copyOf(samples, count * 2);
    }
    samples[count++] = elapsed;
  }

  int count() {
    return count;
  }

  /** Decision latencies in nanoseconds, ascending. */
  long[] sorted() {
    long[] copy = Arrays.copyOf(samples, count);
    Arrays.sort(copy);
    return copy;
  }

  /** The nearest-rank percentile {@code p} (in (0,100]) of ascending samples; 0 when empty. */
  static long percentile(long[] ascending, double p) {
    if (ascending.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(p / 100.0 * ascending.length);
    return ascending[Math.max(0, Math.min(ascending.length, rank) - 1)];
  }
}
