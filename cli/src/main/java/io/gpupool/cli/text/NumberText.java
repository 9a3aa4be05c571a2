package io.gpupool.cli.text;

import java.util.Locale;

/** Prints numbers as short as they can be without losing what matters. Stateless, thread-safe. */
public final class NumberText {
  private NumberText() {}

  /** {@code 2.0 -> "2"}, {@code 0.31 -> "0.31"}, {@code 1.0E-9 -> "1.0E-9"}. */
  public static String compact(double value) {
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      return Long.toString((long) value);
    }
    return Double.toString(value);
  }

  /** One decimal place, e.g. {@code 12.3}; for telemetry where more digits would be noise. */
  public static String oneDecimal(double value) {
    return String.format(Locale.ROOT, "%.1f", value);
  }
}
