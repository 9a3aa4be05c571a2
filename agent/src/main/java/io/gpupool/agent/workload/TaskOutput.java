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
 * <p>Every line comes with the offset just past it in its output file. Once lines are in the sink,
 * the offsets they reach are handed to the {@link ReportedOffsets} listener, which records them so
 * that an agent restarted later resumes from there instead of sending them again.
 *
 * <p>Thread-safe: the output reader and the flush timer may call it concurrently.
 */
final class TaskOutput {

  /** Lines per logs update at most; a full batch is sent at once. */
  static final int MAX_BATCH = 200;

  /** Learns how far each output file has been handed to the sink. */
  @FunctionalInterface
  interface ReportedOffsets {

    /** Called after updates reached the sink, with the offsets they cover (never decreasing). */
    void reported(long stdoutOffset, long stderrOffset);
  }

  private final String taskId;
  private final Clock clock;
  private final TaskUpdateSink sink;
  private final ReportedOffsets offsets;
  private final List<LogLine> pending = new ArrayList<>();
  private final long[] taken = new long[2]; // guarded by this; stdout, stderr
  private final long[] reported = new long[2]; // guarded by this
  private boolean closed; // guarded by this

  /**
   * @param stdoutOffset how far stdout was reported before (0 for a new task)
   * @param stderrOffset how far stderr was reported before
   */
  TaskOutput(
      String taskId,
      Clock clock,
      TaskUpdateSink sink,
      ReportedOffsets offsets,
      long stdoutOffset,
      long stderrOffset) {
    this.taskId = taskId;
    this.clock = clock;
    this.sink = sink;
    this.offsets = offsets;
    taken[0] = reported[0] = stdoutOffset;
    taken[1] = reported[1] = stderrOffset;
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
    take(stream, endOffset);
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
    pending.add(LogLine.newBuilder().setStream(stream).setText(text).setTime(time).build());
    if (pending.size() >= MAX_BATCH) {
      flush();
    }
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
   * Sends the pending log lines and drops any later line: the task's ended update follows, and
   * nothing may come after it.
   */
  synchronized void close() {
    flush();
    closed = true;
  }

  /** Sends the pending log lines, if any, and records how far the output is reported. */
  synchronized void flush() {
    flushPending();
    recordReported();
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
  }

  /** Every line taken is in the sink now (nothing is pending). */
  private void recordReported() {
    if (taken[0] != reported[0] || taken[1] != reported[1]) {
      reported[0] = taken[0];
      reported[1] = taken[1];
      offsets.reported(reported[0], reported[1]);
    }
  }

  private void take(LogStream stream, long endOffset) {
    int index = stream == LogStream.LOG_STREAM_STDERR ? 1 : 0;
    taken[index] = Math.max(taken[index], endOffset);
  }
}
