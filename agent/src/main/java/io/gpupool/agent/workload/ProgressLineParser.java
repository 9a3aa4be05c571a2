package io.gpupool.agent.workload;

import io.gpupool.proto.v1.Progress;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the progress lines a workload writes to its output, such as {@code ##gpupool progress=42
 * step=420/1000 loss=0.31 some message}.
 *
 * <p>After the {@value #PREFIX} prefix come {@code key=value} tokens, read while they are valid:
 * {@code progress=P} (percent, clamped to 0..100), {@code step=N} or {@code step=N/TOTAL}, and any
 * other {@code name=number}, which becomes a metric. The first token that is not such a pair (a bad
 * number included) starts the message, which is the rest of the line verbatim. Without {@code
 * progress=}, a step and total give the percent as {@code 100 * step / total}.
 *
 * <p>Control lines such as {@code ##gpupool checkpointed} share the prefix but are not progress
 * lines: for them {@link #isProgressLine} is false and {@link #parse} empty.
 *
 * <p>Pure and stateless; the time of the progress is left for the caller to set.
 */
public final class ProgressLineParser {

  /** Lines starting with this are progress (or control) lines, not output. */
  public static final String PREFIX = "##gpupool ";

  private static final Pattern PAIR = Pattern.compile("([A-Za-z_][A-Za-z0-9_./-]*)=(\\S+)");
  private static final Pattern NUMBER =
      Pattern.compile("[-+]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][-+]?\\d+)?");
  private static final Pattern STEP = Pattern.compile("(\\d{1,18})(?:/(\\d{1,18}))?");

  private ProgressLineParser() {}

  /** True when the line is a progress line. */
  public static boolean isProgressLine(String line) {
    return line.startsWith(PREFIX) && !ControlLines.isControlLine(line);
  }

  /**
   * Parses a line.
   *
   * @return the progress, or empty when the line is not a progress line
   */
  public static Optional<Progress> parse(String line) {
    if (!isProgressLine(line)) {
      return Optional.empty();
    }
    Progress.Builder progress = Progress.newBuilder();
    String rest = line.substring(PREFIX.length());
    int pos = skipSpaces(rest, 0);
    while (pos < rest.length()) {
      int end = tokenEnd(rest, pos);
      if (!applyPair(rest.substring(pos, end), progress)) {
        break;
      }
      pos = skipSpaces(rest, end);
    }
    progress.setMessage(rest.substring(pos));
    if (!progress.hasPercent() && progress.hasStep() && progress.hasTotalSteps()) {
      progress.setPercent(clampPercent(100.0 * progress.getStep() / progress.getTotalSteps()));
    }
    return Optional.of(progress.build());
  }

  /** Applies a {@code key=value} token; false when the token is not a valid pair. */
  private static boolean applyPair(String token, Progress.Builder progress) {
    Matcher pair = PAIR.matcher(token);
    if (!pair.matches()) {
      return false;
    }
    String key = pair.group(1);
    String value = pair.group(2);
    if (key.equals("step")) {
      Matcher step = STEP.matcher(value);
      if (!step.matches()) {
        return false;
      }
      if (step.group(2) == null) {
        progress.setStep(Long.parseLong(step.group(1))).clearTotalSteps();
        return true;
      }
      long total = Long.parseLong(step.group(2));
      if (total == 0) {
        return false;
      }
      progress.setStep(Long.parseLong(step.group(1))).setTotalSteps(total);
      return true;
    }
    if (!NUMBER.matcher(value).matches()) {
      return false;
    }
    double number = Double.parseDouble(value);
    if (!Double.isFinite(number)) {
      return false;
    }
    if (key.equals("progress")) {
      progress.setPercent(clampPercent(number));
    } else {
      progress.putMetrics(key, number);
    }
    return true;
  }

  private static double clampPercent(double percent) {
    return Math.max(0, Math.min(100, percent));
  }

  private static int skipSpaces(String s, int from) {
    int i = from;
    while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
      i++;
    }
    return i;
  }

  private static int tokenEnd(String s, int from) {
    int i = from;
    while (i < s.length() && !Character.isWhitespace(s.charAt(i))) {
      i++;
    }
    return i;
  }
}
