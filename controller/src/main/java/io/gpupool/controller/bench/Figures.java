package io.gpupool.controller.bench;

import java.util.Locale;
import java.util.Map;

/**
 * Prints a benchmark's figures, named in output order, as aligned text or as one JSON object; the
 * values are Strings, Longs, Doubles or Booleans. Stateless and thread-safe.
 */
final class Figures {
  private Figures() {}

  /** Aligned {@code key value} lines, one per figure, ending in a newline. */
  static String text(Map<String, Object> fields) {
    int width = fields.keySet().stream().mapToInt(String::length).max().orElse(0);
    StringBuilder text = new StringBuilder();
    fields.forEach(
        (key, value) ->
            text.append(String.format(Locale.ROOT, "%-" + width + "s  %s%n", key, show(value))));
    return text.toString();
  }

  /** One JSON object on one line, keys in the map's order. */
  static String json(Map<String, Object> fields) {
    StringBuilder json = new StringBuilder("{");
    fields.forEach(
        (key, value) -> {
          if (json.length() > 1) {
            json.append(',');
          }
          json.append(quote(key)).append(':');
          json.append(value instanceof String s ? quote(s) : show(value));
        });
    return json.append('}').toString();
  }

  static double round(double value, int decimals) {
    double scale = Math.pow(10, decimals);
    return Math.round(value * scale) / scale;
  }

  private static String show(Object value) {
    if (value instanceof Double d) {
      return d == Math.rint(d) ? Long.toString(d.longValue()) : d.toString();
    }
    return String.valueOf(value);
  }

  /** A JSON string; names and keys are plain ASCII, but quote defensively anyway. */
  private static String quote(String s) {
    StringBuilder quoted = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> quoted.append("\\\"");
        case '\\' -> quoted.append("\\\\");
        default -> {
          if (c < 0x20) {
            quoted.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            quoted.append(c);
          }
        }
      }
    }
    return quoted.append('"').toString();
  }
}
