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
 * <p>Thread-safe: the stdout and stderr readers and the flush timer call it concurrently.
 */
final class TaskOutput {

  /** Lines per logs update at most; a full batch is sent at once. */
  static final int MAX_BATCH = 200;

  private final String taskId;
  private final Clock clock;
  private final TaskUpdateSink sink;
  private final List<LogLine> pending = new ArrayList<>();
  private boolean closed; // guarded by this

  TaskOutput(String taskId, Clock clock, TaskUpdateSink sink) {
    this.taskId = taskId;
    this.clock = clock;
    this.sink = sink;
  }

  /** Takes one line the workload wrote. */
  synchronized void line(LogStream stream, String text) {
    if (closed) {
      return;
    }
    var time = ProtoTime.timestamp(clock.instant());
    Optional<Progress> progress = ProgressLineParser.parse(text);
    if (progress.isPresent()) {
      flush();
      sink.accept(
          TaskUpdate.newBuilder()
              .setTaskId(taskId)
              .setProgress(progress.get().toBuilder().setTime(time))
              .build());
      return;
    }
    pending.add(LogLine.newBuilder().setStream(stream).setText(text).setTime(time).build());
    if (pending.size() >= MAX_BATCH) {
      flush();
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

  /** Sends the pending log lines, if any. */
  synchronized void flush() {
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
}
