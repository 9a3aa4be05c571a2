package io.gpupool.agent.session;

import java.time.Duration;
import java.util.Random;

/**
 * Exponential backoff with full jitter: the n-th delay is uniform between the minimum and {@code
 * min(max, minimum * 2^n)}, so that many agents losing the same controller do not come back in
 * step.
 *
 * <p>Not thread-safe; the session uses it from its own thread.
 */
final class Backoff {

  private final long minNanos;
  private final long maxNanos;
  private final Random random;
  private int attempt;

  Backoff(Duration min, Duration max, Random random) {
    if (min.isNegative() || min.isZero() || max.compareTo(min) < 0) {
      throw new IllegalArgumentException("need 0 < min <= max, got " + min + " and " + max);
    }
    this.minNanos = min.toNanos();
    this.maxNanos = max.toNanos();
    this.random = random;
  }

  /** The delay before the next attempt. */
  Duration next() {
    long ceiling = minNanos;
    for (int i = 0; i < attempt && ceiling < maxNanos; i++) {
      ceiling = ceiling > maxNanos / 2 ? maxNanos : ceiling * 2;
    }
    ceiling = Math.min(ceiling, maxNanos);
    attempt++;
    long spread = ceiling - minNanos;
    long jitter = spread == 0 ? 0 : (long) (random.nextDouble() * (spread + 1));
    return Duration.ofNanos(minNanos + Math.min(jitter, spread));
  }

  /** Starts over from the minimum, after a success. */
  void reset() {
    attempt = 0;
  }
}
