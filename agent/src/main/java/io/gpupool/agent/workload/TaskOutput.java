package io.gpupool.agent.workload;

import io.gpupool.proto.v1.LogLine;
import io.gpupool.proto.v1.LogStream;
import io.gpupool.proto.v1.Progress;
import io.gpupool.proto.v1.TaskLogs;
import io.gpupool.proto.v1.TaskUpdate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Turns one task's output lines into updates: progress lines into {@code progress} updates, the
 * others into batched {@code logs} updates, keeping the order in which the lines were read (pending
 * log lines are flushed before a progress update).
 *
 * <p>Within {@link OutputLimits}: lines over the task's rate are dropped, and the next line that
 * passes (or the next flush with room, or the close) is preceded by a marker line on the same
 * stream saying how many were dropped; output past the task's total is dropped after one marker
 * line. Markers are log lines starting with {@value #MARKER_PREFIX}; they count against neither
 * limit. What it holds in memory is bounded: at most {@link #MAX_BATCH} lines or {@link
 * #MAX_BATCH_BYTES} bytes are pending at a time.
 *
 * <p>Every line comes with the offset just past it in its output file. Once lines are in the sink,
 * the offsets they reach (and the bytes sent in all) are handed to the {@link ReportedOffsets}
 * listener, which records them so that an agent restarted later resumes from there instead of
 * sending them again. When the output file is emptied ({@link #rewound}), its offset starts over at
 * zero.
 *
 * <p>Thread-safe: the output reader and the flush timer may call it concurrently.
 */
final class TaskOutput {

  /** Lines per logs update at most; a full batch is sent at once. */
  static final int MAX_BATCH = 200;

  /** Bytes of text per logs update at most (about); a batch this large is sent at once. */
  static final int MAX_BATCH_BYTES = 1 << 20;

  /** How marker lines start. */
  static final String MARKER_PREFIX = "[gpupool: ";

  /** Learns how far each output file has been handed to the sink. */
  @FunctionalInterface
  interface ReportedOffsets {

    /**
     * Called after updates reached the sink, with the offsets they cover (never decreasing but
     * after {@link #rewound}) and the bytes of output sent so far.
     */
    void reported(long stdoutOffset, long stderrOffset, long sentBytes);
  }

  private final String taskId;
  private final Clock clock;
  private final TaskUpdateSink sink;
  private final ReportedOffsets offsets;
  private final OutputLimits limits;
  private final LogRateLimit rate;
  private final List<LogLine> pending = new ArrayList<>();
  private final long[] taken = new long[2]; // guarded by this; stdout, stderr
  private final long[] reported = new long[2]; // guarded by this
  private final long[] droppedLines = new long[2]; // guarded by this; over the rate
  private final long[] droppedUnread = new long[2]; // guarded by this; bytes never read
  private long pendingBytes; // guarded by this
  private long sent; // guarded by this
  private long reportedSent; // guarded by this
  private boolean capped; // guarded by this
  private boolean closed; // guarded by this

  /**
   * @param start how far stdout and stderr were reported before and how many bytes were sent (all
   *     zero for a new task), as {@link SupervisorDir#reportedOffsets()} gives them
   */
  TaskOutput(
      String taskId,
      Clock clock,
      TaskUpdateSink sink,
      ReportedOffsets offsets,
      OutputLimits limits,
      long[] start) {
    this.taskId = taskId;
    this.clock = clock;
    this.sink = sink;
    this.offsets = offsets;
    this.limits = limits;
    this.rate = new LogRateLimit(clock, limits.logLinesPerSecond(), limits.logBytesPerSecond());
    taken[0] = reported[0] = start[0];
    taken[1] = reported[1] = start[1];
    sent = reportedSent = start[2];
    capped = sent >= limits.maxTaskOutputBytes();
  }

  /**
   * Takes one line the workload wrote.
   *
   * @param endOffset the offset just past the line in its stream's file
   */
  synchronized void line(LogStream stream, String text, long endOffset) {
    if (closed) {
      return;
    }
    int index = index(stream);
    long bytes = utf8Length(text) + 1; // and its newline
    take(stream, endOffset);
    if (capped) {
      return;
    }
    if (sent + bytes > limits.maxTaskOutputBytes()) {
      capped = true;
      addDropMarkers();
      addMarker(
          stream,
          "output past "
              + OutputLimits.bytesText(limits.maxTaskOutputBytes())
              + " dropped (the agent's --max-task-output-bytes)]");
      return;
    }
    if (!rate.tryTake(bytes)) {
      droppedLines[index]++;
      return;
    }
    addDropMarkers();
    sent += bytes;
    var time = ProtoTime.timestamp(clock.instant());
    Optional<Progress> progress = ProgressLineParser.parse(text);
    if (progress.isPresent()) {
      flushPending();
      sink.accept(
          TaskUpdate.newBuilder()
              .setTaskId(taskId)
              .setProgress(progress.get().toBuilder().setTime(time))
              .build());
      recordReported();
      return;
    }
    add(LogLine.newBuilder().setStream(stream).setText(text).setTime(time).build());
  }

  /**
   * Takes a line that is acted on but not reported (a control line): it counts as reported with the
   * next flush.
   */
  synchronized void skip(LogStream stream, long endOffset) {
    if (!closed) {
      take(stream, endOffset);
    }
  }

  /**
   * Notes that the stream's file was emptied, after everything taken from it was flushed: its
   * offsets start over at zero, and the listener learns it at once.
   */
  synchronized void rewound(LogStream stream) {
    int index = index(stream);
    taken[index] = 0;
    reported[index] = 0;
    offsets.reported(reported[0], reported[1], reportedSent);
  }

  /**
   * Notes that bytes of the stream were dropped without being read (the task wrote faster than the
   * agent reads); a marker says so with the next line that passes, or at the next flush.
   */
  synchronized void droppedUnread(LogStream stream, long bytes) {
    if (!closed && !capped) {
      droppedUnread[index(stream)] += bytes;
    }
  }

  /**
   * Sends the pending log lines and drop markers and drops any later line: the task's ended update
   * follows, and nothing may come after it.
   */
  synchronized void close() {
    if (closed) {
      return;
    }
    addDropMarkers();
    flush();
    closed = true;
  }

  /**
   * Sends the pending log lines, if any (with the drop markers that are due), and records how far
   * the output is reported.
   */
  synchronized void flush() {
    if (!closed && !capped && rate.hasRoom()) {
      addDropMarkers();
    }
    flushPending();
    recordReported();
  }

  private void add(LogLine line) {
    pending.add(line);
    pendingBytes += line.getText().length();
    if (pending.size() >= MAX_BATCH || pendingBytes >= MAX_BATCH_BYTES) {
      flush();
    }
  }

  private void addMarker(LogStream stream, String text) {
    add(
        LogLine.newBuilder()
            .setStream(stream)
            .setText(MARKER_PREFIX + text)
            .setTime(ProtoTime.timestamp(clock.instant()))
            .build());
  }

  /** Markers for the lines dropped over the rate and the bytes dropped unread, per stream. */
  private void addDropMarkers() {
    for (LogStream stream :
        new LogStream[] {LogStream.LOG_STREAM_STDOUT, LogStream.LOG_STREAM_STDERR}) {
      int index = index(stream);
      long lines = droppedLines[index];
      long unread = droppedUnread[index];
      droppedLines[index] = 0;
      droppedUnread[index] = 0;
      List<String> parts = new ArrayList<>(2);
      if (lines > 0) {
        parts.add(
            lines
                + (lines == 1 ? " line" : " lines")
                + " dropped over the log rate limit of "
                + limits.logLinesPerSecond()
                + " lines/s and "
                + OutputLimits.bytesText(limits.logBytesPerSecond())
                + "/s");
      }
      if (unread > 0) {
        parts.add(
            OutputLimits.roughBytesText(unread)
                + " dropped unread: the task wrote faster than the agent reads");
      }
      if (!parts.isEmpty()) {
        addMarker(stream, String.join("; ", parts) + "]");
      }
    }
  }

  private void flushPending() {
    if (pending.isEmpty()) {
      return;
    }
    sink.accept(
        TaskUpdate.newBuilder()
            .setTaskId(taskId)
            .setLogs(TaskLogs.newBuilder().addAllLines(pending))
            .build());
    pending.clear();
    pendingBytes = 0;
  }

  /** Every line taken is in the sink now (nothing is pending). */
  private void recordReported() {
    if (taken[0] != reported[0] || taken[1] != reported[1] || sent != reportedSent) {
      reported[0] = taken[0];
      reported[1] = taken[1];
      reportedSent = sent;
      offsets.reported(reported[0], reported[1], reportedSent);
    }
  }

  private void take(LogStream stream, long endOffset) {
    int index = index(stream);
    taken[index] = Math.max(taken[index], endOffset);
  }

  private static long utf8Length(String text) {
    long length = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      length += c < 0x80 ? 1 : c < 0x800 || Character.isSurrogate(c) ? 2 : 3;
    }
    return length;
  }

  private static int index(LogStream stream) {
    return stream == LogStream.LOG_STREAM_STDERR ? 1 : 0;
  }
}
