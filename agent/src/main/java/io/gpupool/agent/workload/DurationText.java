package io.gpupool.agent.workload;

import java.time.Duration;

/** Writes durations the way users write them in flags: "5m", "1h30m", "90ms". */
final class DurationText {

  private DurationText() {}

  static String format(Duration duration) {
    if (duration.isZero() || duration.isNegative()) {
      return "0s";
    }
    StringBuilder text = new StringBuilder();
    append(text, duration.toHours(), "h");
    append(text, duration.toMinutesPart(), "m");
    append(text, duration.toSecondsPart(), "s");
    append(text, duration.toMillisPart(), "ms");
    return text.length() == 0 ? duration.toNanos() + "ns" : text.toString();
  }

  private static void append(StringBuilder text, long amount, String unit) {
    if (amount > 0) {
      text.append(amount).append(unit);
    }
  }
}
