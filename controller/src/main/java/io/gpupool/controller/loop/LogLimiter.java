package io.gpupool.controller.loop;

import io.gpupool.controller.limits.Limits;
import io.gpupool.controller.limits.Utf8;
import io.gpupool.controller.state.Timestamps;
import io.gpupool.proto.v1.LogLine;
import io.gpupool.proto.v1.LogStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * Decides which of a task's output the controller stores, so that a workload that prints without
 * end costs bounded memory and storage: a line longer than {@link Limits#MAX_LOG_LINE_BYTES} is cut
 * and marked; per task at most {@link Limits#MAX_LOG_LINES_PER_SECOND} lines (progress reports
 * count as lines) and {@link Limits#MAX_LOG_BYTES_PER_SECOND} bytes are kept per second, the rest
 * dropped with one marker line per second saying how many; and once a task has stored {@link
 * Limits#MAX_LOG_LINES_PER_TASK} lines or {@link Limits#MAX_LOG_BYTES_PER_TASK} bytes, later output
 * is dropped, with a marker when that happens and one with the count when the task ends.
 *
 * <p>Seconds are windows on the loop's clock (the pass time), starting at a task's first line after
 * a quiet second. Totals count while this controller leads; a new leader starts them again. Not
 * thread-safe; used on the loop thread only.
 */
final class LogLimiter {
  private static final Duration WINDOW = Duration.ofSeconds(1);

  private final int linesPerSecond;
  private final long bytesPerSecond;
  private final int maxLineBytes;
  private final long maxLines;
  private final long maxBytes;
  private final Map<String, Budget> budgets = new HashMap<>();
  private Instant lastSweep = Instant.MIN;

  /** A limiter with the limits of {@link Limits}. */
  LogLimiter() {
    this(
        Limits.MAX_LOG_LINES_PER_SECOND,
        Limits.MAX_LOG_BYTES_PER_SECOND,
        Limits.MAX_LOG_LINE_BYTES,
        Limits.MAX_LOG_LINES_PER_TASK,
        Limits.MAX_LOG_BYTES_PER_TASK);
  }

  /** A limiter with other limits, for tests. */
  LogLimiter(
      int linesPerSecond, long bytesPerSecond, int maxLineBytes, long maxLines, long maxBytes) {
    this.linesPerSecond = linesPerSecond;
    this.bytesPerSecond = bytesPerSecond;
    this.maxLineBytes = maxLineBytes;
    this.maxLines = maxLines;
    this.maxBytes = maxBytes;
  }

  /**
   * What to store of a batch of a task's lines, in order: the lines that fit (long ones cut and
   * marked), preceded by a marker for what the previous second dropped, if it dropped any.
   */
  List<LogLine> admit(String taskId, List<LogLine> lines, Instant now) {
    Budget budget = budgets.computeIfAbsent(taskId, id -> new Budget());
    List<LogLine> kept = new ArrayList<>();
    budget.roll(now, kept);
    for (LogLine line : lines) {
      budget.offer(line, now, kept);
    }
    return kept;
  }

  /**
   * Whether a progress report may be stored now; it counts as one line of the task's output. A
   * marker due for the previous second goes to {@code markers}.
   */
  boolean admitProgress(String taskId, Instant now, List<LogLine> markers) {
    Budget budget = budgets.computeIfAbsent(taskId, id -> new Budget());
    budget.roll(now, markers);
    return budget.take(0, now, markers);
  }

  /**
   * The markers still owed for a task whose run ends now: what it dropped in its last second, and
   * after its total limit. Its totals stay until {@link #sweep} finds it gone (a requeued task runs
   * on under the same totals).
   */
  List<LogLine> finish(String taskId, Instant now) {
    Budget budget = budgets.get(taskId);
    List<LogLine> markers = new ArrayList<>();
    if (budget != null) {
      budget.flush(now, markers);
    }
    return markers;
  }

  /**
   * At most once a second: hands {@code emit} the marker of each live task whose second ended with
   * lines dropped, and forgets tasks that are no longer {@code alive}.
   */
  void sweep(Instant now, Predicate<String> alive, BiConsumer<String, LogLine> emit) {
    if (now.isBefore(lastSweep.plus(WINDOW))) {
      return;
    }
    lastSweep = now;
    Iterator<Map.Entry<String, Budget>> entries = budgets.entrySet().iterator();
    while (entries.hasNext()) {
      Map.Entry<String, Budget> entry = entries.next();
      if (!alive.test(entry.getKey())) {
        entries.remove();
        continue;
      }
      List<LogLine> markers = new ArrayList<>();
      entry.getValue().roll(now, markers);
      markers.forEach(marker -> emit.accept(entry.getKey(), marker));
    }
  }

  /** Tasks with a budget, for tests. */
  int tracked() {
    return budgets.size();
  }

  /** One task's counts: this second's and the totals. */
  private final class Budget {
    private Instant windowStart = Instant.MIN;
    private long windowLines;
    private long windowBytes;
    private long droppedByRate;
    private long droppedByTotal;
    private long totalLines;
    private long totalBytes;
    private boolean totalAnnounced;

    /** Starts a new second if the current one is over, owing a marker for what it dropped. */
    void roll(Instant now, List<LogLine> out) {
      if (now.isBefore(windowStart.plus(WINDOW))) {
        return;
      }
      if (droppedByRate > 0) {
        mark(
            droppedByRate
                + " lines dropped: log rate limit of "
                + linesPerSecond
                + " lines or "
                + bytesPerSecond
                + " bytes per second per task",
            now,
            out);
        droppedByRate = 0;
      }
      windowStart = now;
      windowLines = 0;
      windowBytes = 0;
    }

    void offer(LogLine line, Instant now, List<LogLine> out) {
      if (totalReached() || windowLines >= linesPerSecond) {
        take(0, now, out); // counts the drop, marks the total limit once
        return;
      }
      String text = line.getText();
      long bytes = Utf8.length(text);
      if (bytes > maxLineBytes) {
        String kept = Utf8.prefix(text, maxLineBytes);
        text =
            kept
                + " [gpupool: "
                + (bytes - Utf8.length(kept))
                + " bytes cut: log line limit of "
                + maxLineBytes
                + " bytes]";
        bytes = Utf8.length(text);
      }
      if (take(bytes, now, out)) {
        out.add(text.equals(line.getText()) ? line : line.toBuilder().setText(text).build());
      }
    }

    /** Counts a line of {@code bytes} as stored if it fits, else as dropped. */
    boolean take(long bytes, Instant now, List<LogLine> out) {
      if (totalReached() || totalBytes + bytes > maxBytes) {
        if (!totalAnnounced) {
          mark(
              "log limit of "
                  + maxLines
                  + " lines or "
                  + maxBytes
                  + " bytes per task reached; later output is dropped",
              now,
              out);
          totalAnnounced = true;
          totalLines = maxLines; // reached, whichever limit it was
        }
        droppedByTotal++;
        return false;
      }
      if (windowLines >= linesPerSecond || windowBytes + bytes > bytesPerSecond) {
        droppedByRate++;
        return false;
      }
      windowLines++;
      windowBytes += bytes;
      totalLines++;
      totalBytes += bytes;
      return true;
    }

    private boolean totalReached() {
      return totalLines >= maxLines;
    }

    void flush(Instant now, List<LogLine> out) {
      windowStart = Instant.MIN;
      roll(now, out);
      if (droppedByTotal > 0) {
        mark(droppedByTotal + " lines dropped: log limit per task", now, out);
        droppedByTotal = 0;
      }
    }

    /** A marker line: stored whatever the limits, at most a few per task and second. */
    private void mark(String what, Instant now, List<LogLine> out) {
      out.add(
          LogLine.newBuilder()
              .setStream(LogStream.LOG_STREAM_STDERR)
              .setText("[gpupool: " + what + "]")
              .setTime(Timestamps.of(now))
              .build());
    }
  }
}
