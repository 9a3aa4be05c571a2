package io.gpupool.cli.text;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the durations people type: {@code 90s}, {@code 5m}, {@code 2h}, {@code 1h30m}, {@code
 * 500ms}, {@code 1d}, and ISO-8601 such as {@code PT5M}.
 *
 * <p>Stateless and thread-safe.
 */
public final class DurationParser {
  /** Shown to users next to a value that did not parse. */
  public static final String EXAMPLES = "e.g. 90s, 5m, 2h, 1h30m, 500ms or PT5M";

  private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h|d)");

  private DurationParser() {}

  /**
   * Parses text into a duration.
   *
   * @throws IllegalArgumentException naming the text and the accepted forms when it does not parse,
   *     is negative, or overflows
   */
  public static Duration parse(String text) {
    String trimmed = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
    if (trimmed.startsWith("p") || trimmed.startsWith("-p")) {
      return parseIso(text.strip());
    }
    Matcher matcher = PART.matcher(trimmed);
    Duration total = Duration.ZERO;
    int end = 0;
    while (matcher.find() && matcher.start() == end) {
      total = total.plus(part(matcher.group(1), matcher.group(2), text));
      end = matcher.end();
    }
    if (trimmed.isEmpty() || end != trimmed.length()) {
      throw invalid(text);
    }
    return total;
  }

  private static Duration parseIso(String text) {
    Duration duration;
    try {
      duration = Duration.parse(text);
    } catch (DateTimeParseException e) {
      throw invalid(text);
    }
    if (duration.isNegative()) {
      throw new IllegalArgumentException("'" + text + "' is negative; a duration must not be");
    }
    return duration;
  }

  private static Duration part(String amount, String unit, String text) {
    try {
      long value = Long.parseLong(amount);
      return switch (unit) {
        case "ms" -> Duration.ofMillis(value);
        case "s" -> Duration.ofSeconds(value);
        case "m" -> Duration.ofMinutes(value);
        case "h" -> Duration.ofHours(value);
        case "d" -> Duration.ofDays(value);
        default -> throw invalid(text);
      };
    } catch (ArithmeticException | NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' is too long a duration");
    }
  }

  private static IllegalArgumentException invalid(String text) {
    return new IllegalArgumentException("'" + text + "' is not a duration; use " + EXAMPLES);
  }
}
