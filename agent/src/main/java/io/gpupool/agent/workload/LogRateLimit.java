package io.gpupool.agent.workload;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * A token bucket for one task's output: so many lines and so many bytes per second, with bursts of
 * up to one second's worth of each. Time comes from the injected clock; a clock that stands still
 * gives the first second's worth and nothing more.
 *
 * <p>Not thread-safe; its {@link TaskOutput} serializes the calls.
 */
final class LogRateLimit {

  private static final double NANOS_PER_SECOND = 1e9;

  private final Clock clock;
  private final double linesPerSecond;
  private final double bytesPerSecond;
  private double lines;
  private double bytes;
  private Instant last;

  LogRateLimit(Clock clock, int linesPerSecond, long bytesPerSecond) {
    this.clock = clock;
    this.linesPerSecond = linesPerSecond;
    this.bytesPerSecond = bytesPerSecond;
    this.lines = linesPerSecond;
    this.bytes = bytesPerSecond;
    this.last = clock.instant();
  }

  /**
   * Takes one line of that many bytes if the rate allows it now. A line longer than a second's
   * worth of bytes passes when the bucket is full, and leaves it in debt.
   *
   * @return false when the line is over the rate
   */
  boolean tryTake(long lineBytes) {
    refill();
    if (lines < 1 || bytes < Math.min(lineBytes, bytesPerSecond)) {
      return false;
    }
    lines -= 1;
    bytes -= lineBytes;
    return true;
  }

  /** True when a line of one byte would pass now. */
  boolean hasRoom() {
    refill();
    return lines >= 1 && bytes >= 1;
  }

  private void refill() {
    Instant now = clock.instant();
    if (!now.isAfter(last)) {
      return; // a clock that stepped back gives nothing
    }
    double seconds = Duration.between(last, now).toNanos() / NANOS_PER_SECOND;
    last = now;
    lines = Math.min(linesPerSecond, lines + seconds * linesPerSecond);
    bytes = Math.min(bytesPerSecond, bytes + seconds * bytesPerSecond);
  }
}
