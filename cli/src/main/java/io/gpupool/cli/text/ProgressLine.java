package io.gpupool.cli.text;

import java.time.Duration;
import java.util.List;

/**
 * Renders a task's one-line live status, e.g. {@code t-42 RUNNING [#########.......] 57% step
 * 570/1000 eta 0:41}, or before any progress the state's reason ({@code t-42 PENDING waiting for 2
 * free GPUs}), never longer than a given width: when the line does not fit, the eta goes first,
 * then the step, then the bar narrows, and what still does not fit is cut.
 *
 * <p>Pure functions; thread-safe.
 */
public final class ProgressLine {
  /** Width of the bar's inside when there is room for it. */
  static final int BAR_WIDTH = 20;

  /** The narrowest bar still worth showing. */
  private static final int MIN_BAR_WIDTH = 5;

  private ProgressLine() {}

  /**
   * What the line shows.
   *
   * @param taskId the task's id
   * @param state the state's label, e.g. RUNNING
   * @param percent percent complete 0 to 100, or null when unknown (no bar then)
   * @param step the current step, or null
   * @param totalSteps the number of steps, or null
   * @param eta the expected time left, or null when unknown
   * @param reason why the task is in its state (e.g. why it is pending), shown while there is no
   *     progress to show; empty for none
   */
  public record Status(
      String taskId,
      String state,
      Double percent,
      Long step,
      Long totalSteps,
      Duration eta,
      String reason) {}

  /**
   * The line for {@code status}, at most {@code width} characters (at least 1), without line
   * separator or control characters.
   */
  public static String render(Status status, int width) {
    int limit = Math.max(1, width);
    String head = status.taskId() + " " + status.state();
    String step = step(status);
    String eta = status.eta() == null ? "" : "eta " + clock(status.eta());
    if (status.percent() == null && status.step() == null && !status.reason().isEmpty()) {
      return cut(join(head, status.reason(), "", ""), limit);
    }
    // Shed the least important parts first until the line fits: eta, step, then bar width.
    String full = percentPart(status.percent(), BAR_WIDTH);
    for (String line : List.of(join(head, full, step, eta), join(head, full, step, ""))) {
      if (line.length() <= limit) {
        return line;
      }
    }
    if (status.percent() != null) {
      for (int bar = BAR_WIDTH; bar >= MIN_BAR_WIDTH; bar--) {
        String line = join(head, percentPart(status.percent(), bar), "", "");
        if (line.length() <= limit) {
          return line;
        }
      }
    }
    String bare = join(head, status.percent() == null ? "" : percent(status.percent()), "", "");
    return cut(bare, limit);
  }

  private static String cut(String line, int limit) {
    return line.length() <= limit ? line : line.substring(0, limit).stripTrailing();
  }

  /** {@code [#####.....] 57%} with a bar {@code width} wide, or empty when unknown. */
  public static String percentPart(Double percent, int width) {
    if (percent == null) {
      return "";
    }
    double clamped = Math.max(0, Math.min(100, percent));
    int filled = (int) Math.floor(clamped / 100 * width);
    return "[" + "#".repeat(filled) + ".".repeat(width - filled) + "] " + percent(clamped);
  }

  /** {@code 0:41}, {@code 12:05}, {@code 1:02:03}: minutes and seconds, hours when needed. */
  public static String clock(Duration duration) {
    long seconds = Math.max(0, duration.toSeconds());
    long hours = seconds / 3600;
    long minutes = seconds % 3600 / 60;
    long rest = seconds % 60;
    return hours > 0
        ? String.format("%d:%02d:%02d", hours, minutes, rest)
        : String.format("%d:%02d", minutes, rest);
  }

  private static String percent(double percent) {
    return Math.round(Math.max(0, Math.min(100, percent))) + "%";
  }

  private static String step(Status status) {
    if (status.step() == null) {
      return "";
    }
    return "step " + status.step() + (status.totalSteps() == null ? "" : "/" + status.totalSteps());
  }

  private static String join(String... parts) {
    return String.join(" ", List.of(parts).stream().filter(p -> !p.isEmpty()).toList());
  }
}
