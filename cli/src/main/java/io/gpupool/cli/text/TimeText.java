package io.gpupool.cli.text;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * Formats instants as local times and durations as short ages ({@code 5s}, {@code 3m}, {@code 2h},
 * {@code 4d}).
 *
 * <p>Immutable and thread-safe; the zone is given, so output does not depend on the machine.
 */
public final class TimeText {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");
  private static final DateTimeFormatter DATE_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

  private final ZoneId zone;

  /** Formats in the given zone (the user's, in the CLI). */
  public TimeText(ZoneId zone) {
    this.zone = zone;
  }

  /** {@code HH:mm:ss} in this zone. */
  public String time(Instant instant) {
    return TIME.format(instant.atZone(zone));
  }

  /** {@code yyyy-MM-dd HH:mm:ss} in this zone. */
  public String dateTime(Instant instant) {
    return DATE_TIME.format(instant.atZone(zone));
  }

  /**
   * The age of something that happened at {@code then}, seen at {@code now}, in its largest whole
   * unit; {@code 0s} when then is in the future (clock skew between machines).
   */
  public static String age(Instant then, Instant now) {
    return shortDuration(Duration.between(then, now));
  }

  /** A duration in its largest whole unit: {@code 45s}, {@code 3m}, {@code 2h}, {@code 4d}. */
  public static String shortDuration(Duration duration) {
    long seconds = Math.max(0, duration.getSeconds());
    if (seconds < 60) {
      return seconds + "s";
    }
    if (seconds < 3600) {
      return seconds / 60 + "m";
    }
    if (seconds < 86400) {
      return seconds / 3600 + "h";
    }
    return seconds / 86400 + "d";
  }
}
