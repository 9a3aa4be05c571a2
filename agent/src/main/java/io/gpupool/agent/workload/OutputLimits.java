package io.gpupool.agent.workload;

/**
 * How much output of one command task the agent sends and keeps.
 *
 * <ul>
 *   <li>{@code maxTaskOutputBytes}: stdout and stderr together, sent to the controller over the
 *       task's life (an agent that takes the task over continues the count); past it, lines are
 *       dropped with one marker line.
 *   <li>{@code logLinesPerSecond}, {@code logBytesPerSecond}: the rate at which a task's lines (log
 *       and progress) are sent, with bursts of up to one second's worth; lines over it are dropped,
 *       and a marker line says how many.
 *   <li>On disk, each output file in the supervisor dir is emptied once it has been read and
 *       reported and holds {@link #fileBytes()} (the smaller of the cap and 64 MiB) or more, so it
 *       never holds much more than that plus what the task writes between two turns of the poller
 *       (50 ms). Output that the task writes faster than the agent reads (20 MiB/s per stream) is
 *       dropped unread beyond that, also with a marker line.
 * </ul>
 *
 * <p>Immutable; thread-safe.
 */
public final class OutputLimits {

  /** 1 GiB per task. */
  public static final long DEFAULT_MAX_TASK_OUTPUT_BYTES = 1L << 30;

  /** 1000 lines per second per task. */
  public static final int DEFAULT_LOG_LINES_PER_SECOND = 1000;

  /** 1 MiB per second per task. */
  public static final long DEFAULT_LOG_BYTES_PER_SECOND = 1L << 20;

  /** The defaults: 1 GiB per task, 1000 lines/s and 1 MiB/s. */
  public static final OutputLimits DEFAULT =
      of(DEFAULT_MAX_TASK_OUTPUT_BYTES, DEFAULT_LOG_LINES_PER_SECOND, DEFAULT_LOG_BYTES_PER_SECOND);

  /** The most an output file holds on disk however large the cap. */
  private static final long MAX_FILE_BYTES = 64L << 20;

  private final long maxTaskOutputBytes;
  private final int logLinesPerSecond;
  private final long logBytesPerSecond;
  private final long fileBytes;

  private OutputLimits(
      long maxTaskOutputBytes, int logLinesPerSecond, long logBytesPerSecond, long fileBytes) {
    if (maxTaskOutputBytes <= 0 || logLinesPerSecond <= 0 || logBytesPerSecond <= 0) {
      throw new IllegalArgumentException(
          "output limits must be positive: "
              + maxTaskOutputBytes
              + " bytes, "
              + logLinesPerSecond
              + " lines/s, "
              + logBytesPerSecond
              + " bytes/s");
    }
    if (fileBytes <= 0) {
      throw new IllegalArgumentException("fileBytes must be positive: " + fileBytes);
    }
    this.maxTaskOutputBytes = maxTaskOutputBytes;
    this.logLinesPerSecond = logLinesPerSecond;
    this.logBytesPerSecond = logBytesPerSecond;
    this.fileBytes = fileBytes;
  }

  /**
   * Limits with the given values, each positive.
   *
   * @throws IllegalArgumentException when one is zero or negative
   */
  public static OutputLimits of(
      long maxTaskOutputBytes, int logLinesPerSecond, long logBytesPerSecond) {
    return new OutputLimits(
        maxTaskOutputBytes,
        logLinesPerSecond,
        logBytesPerSecond,
        Math.min(maxTaskOutputBytes, MAX_FILE_BYTES));
  }

  /** For tests: the same, with output files emptied from this size on. */
  OutputLimits withFileBytes(long bytes) {
    return new OutputLimits(maxTaskOutputBytes, logLinesPerSecond, logBytesPerSecond, bytes);
  }

  /** Bytes of output a task may send in all. */
  public long maxTaskOutputBytes() {
    return maxTaskOutputBytes;
  }

  /** Lines per second a task may send. */
  public int logLinesPerSecond() {
    return logLinesPerSecond;
  }

  /** Bytes per second a task may send. */
  public long logBytesPerSecond() {
    return logBytesPerSecond;
  }

  /** From which size an output file on disk is emptied once read. */
  long fileBytes() {
    return fileBytes;
  }

  /** "1 GiB", "64 KiB", "1000 bytes": exact, in the largest binary unit that divides it. */
  static String bytesText(long bytes) {
    String[] units = {"GiB", "MiB", "KiB"};
    int[] shifts = {30, 20, 10};
    for (int i = 0; i < units.length; i++) {
      long unit = 1L << shifts[i];
      if (bytes >= unit && bytes % unit == 0) {
        return (bytes >> shifts[i]) + " " + units[i];
      }
    }
    return bytes + (bytes == 1 ? " byte" : " bytes");
  }

  /** "2 MiB", "about 3 MiB", "512 bytes": exact when a unit divides it, rounded from 1 KiB on. */
  static String roughBytesText(long bytes) {
    String exact = bytesText(bytes);
    if (!exact.endsWith("bytes") || bytes < 1024) {
      return exact;
    }
    int shift = bytes >= 1L << 30 ? 30 : bytes >= 1L << 20 ? 20 : 10;
    String unit = shift == 30 ? "GiB" : shift == 20 ? "MiB" : "KiB";
    return "about " + Math.round((double) bytes / (1L << shift)) + " " + unit;
  }

  @Override
  public String toString() {
    return bytesText(maxTaskOutputBytes)
        + " per task, "
        + logLinesPerSecond
        + " lines/s, "
        + bytesText(logBytesPerSecond)
        + "/s";
  }
}
