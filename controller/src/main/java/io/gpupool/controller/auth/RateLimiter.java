package io.gpupool.controller.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Requests per second per token: a token bucket per token id that refills at {@code perSecond} on
 * the injected clock and holds at most twice that (so a burst of two seconds' worth passes).
 * Buckets exist only for tokens that made calls, so their number is bounded by the tokens there
 * are.
 *
 * <p>Thread-safe: the map is concurrent, each bucket is locked on its own.
 */
public final class RateLimiter {
  private final int perSecond;
  private final double burst;
  private final Clock clock;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  /**
   * @param perSecond requests per second each token may make on average; at least 1
   */
  public RateLimiter(int perSecond, Clock clock) {
    if (perSecond < 1) {
      throw new IllegalArgumentException("a rate limit is at least 1 per second, got " + perSecond);
    }
    this.perSecond = perSecond;
    this.burst = 2.0 * perSecond;
    this.clock = clock;
  }

  /** The limit, in requests per second. */
  public int perSecond() {
    return perSecond;
  }

  /** Takes one request from the token's bucket; false when the bucket is empty. */
  public boolean tryAcquire(String tokenId) {
    Instant now = clock.instant();
    return buckets.computeIfAbsent(tokenId, id -> new Bucket(burst, now)).take(now);
  }

  private final class Bucket {
    private double available;
    private Instant refilled;

    Bucket(double available, Instant refilled) {
      this.available = available;
      this.refilled = refilled;
    }

    synchronized boolean take(Instant now) {
      if (now.isAfter(refilled)) {
        double seconds = Duration.between(refilled, now).toNanos() / 1e9;
        available = Math.min(burst, available + seconds * perSecond);
        refilled = now;
      }
      if (available < 1) {
        return false;
      }
      available -= 1;
      return true;
    }
  }
}
