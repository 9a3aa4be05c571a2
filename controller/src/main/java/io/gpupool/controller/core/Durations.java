package io.gpupool.controller.core;

import java.time.Duration;

/** Short human words for durations in reasons: "45s", "12m", "3h20m", "2d4h". */
final class Durations {
  private Durations() {}

  static String words(Duration duration) {
    long s = Math.max(0, duration.getSeconds());
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return (s / 60) + "m";
    }
    if (s < 86400) {
      return (s / 3600) + "h" + (s % 3600 / 60 == 0 ? "" : (s % 3600 / 60) + "m");
    }
    return (s / 86400) + "d" + (s % 86400 / 3600 == 0 ? "" : (s % 86400 / 3600) + "h");
  }
}
