package io.gpupool.client.impl;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with jitter: the delay before attempt {@code n} (from 0) is {@code initial *
 * 2^n}, capped at {@code max}, times a random factor in [0.8, 1.2) so that many clients do not
 * retry in step. Thread-safe.
 */
final class Backoff {
  private static final double JITTER = 0.2;

  private final long initialNanos;
  private final long maxNanos;
  private final DoubleSupplier random;

  Backoff(Duration initial, Duration max) {
    this(initial, max, () -> ThreadLocalRandom.current().nextDouble());
  }

  Backoff(Duration initial, Duration max, DoubleSupplier random) {
    this.initialNanos = initial.toNanos();
    this.maxNanos = max.toNanos();
    this.random = random;
  }

  /** Returns the delay before the given retry, counting from 0. */
  Duration delay(int attempt) {
    long base = maxNanos;
    if (attempt < 62 && initialNanos <= (maxNanos >> attempt)) {
      base = initialNanos << attempt;
    }
    double factor = 1 - JITTER + 2 * JITTER * random.getAsDouble();
    return Duration.ofNanos(Math.min(maxNanos, (long) (base * factor)));
  }
}
