package io.gpupool.controller.sim;

import java.time.Duration;
import java.util.Comparator;
import java.util.Optional;

/**
 * One job of a trace: when it arrives, what it needs and how long it truly runs.
 *
 * <p>The true {@code durationMillis} is known only to the simulator; the core sees the user's
 * {@code estimate}, if the trace has one, and what it learned from finished jobs.
 *
 * @param id the job id, unique in its trace
 * @param submitMillis arrival, milliseconds from the trace start, at least 0
 * @param gpus GPUs it needs on one node, at least 1
 * @param durationMillis its true run time, at least 1 ms
 * @param name task name (runtime learning keys on tenant and name); empty if unknown
 * @param gpuType GPU model it needs (case-insensitive substring); empty for any
 * @param tenant who it runs for; empty for the default tenant
 * @param priority priority class value
 * @param estimate the run time its user expected, if the trace says
 * @param line the line of the trace it came from, for messages
 */
public record TraceJob(
    String id,
    long submitMillis,
    int gpus,
    long durationMillis,
    String name,
    String gpuType,
    String tenant,
    int priority,
    Optional<Duration> estimate,
    int line) {

  /**
   * Orders job ids: ids that are whole numbers numerically (so "9" comes before "10"), before any
   * other id; other ids by their text.
   */
  public static final Comparator<String> ID_ORDER = TraceJob::compareIds;

  /** Trace order: by submit time, then by {@link #ID_ORDER}. */
  public static final Comparator<TraceJob> SUBMIT_ORDER =
      Comparator.comparingLong(TraceJob::submitMillis).thenComparing(TraceJob::id, ID_ORDER);

  /** Checks the invariants the simulator relies on. */
  public TraceJob {
    if (id == null || id.isEmpty()) {
      throw new IllegalArgumentException("job id must not be empty");
    }
    if (submitMillis < 0) {
      throw new IllegalArgumentException("submit time must not be negative, got " + submitMillis);
    }
    if (gpus < 1) {
      throw new IllegalArgumentException("gpus must be at least 1, got " + gpus);
    }
    if (durationMillis < 1) {
      throw new IllegalArgumentException("duration must be at least 1 ms, got " + durationMillis);
    }
    name = name == null ? "" : name;
    gpuType = gpuType == null ? "" : gpuType;
    tenant = tenant == null ? "" : tenant;
    estimate = estimate == null ? Optional.empty() : estimate;
  }

  /** A job with only the required columns, e.g. for tests and generated traces. */
  public static TraceJob of(String id, long submitMillis, int gpus, long durationMillis) {
    return new TraceJob(id, submitMillis, gpus, durationMillis, "", "", "", 0, Optional.empty(), 0);
  }

  private static int compareIds(String a, String b) {
    boolean aNumber = isWholeNumber(a);
    boolean bNumber = isWholeNumber(b);
    if (aNumber && bNumber) {
      // Longer digit strings (without leading zeros) are larger; equal lengths compare as text.
      String aDigits = stripLeadingZeros(a);
      String bDigits = stripLeadingZeros(b);
      int byLength = Integer.compare(aDigits.length(), bDigits.length());
      if (byLength != 0) {
        return byLength;
      }
      int byValue = aDigits.compareTo(bDigits);
      return byValue != 0 ? byValue : a.compareTo(b);
    }
    if (aNumber != bNumber) {
      return aNumber ? -1 : 1;
    }
    return a.compareTo(b);
  }

  private static boolean isWholeNumber(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  private static String stripLeadingZeros(String digits) {
    int i = 0;
    while (i < digits.length() - 1 && digits.charAt(i) == '0') {
      i++;
    }
    return digits.substring(i);
  }
}
