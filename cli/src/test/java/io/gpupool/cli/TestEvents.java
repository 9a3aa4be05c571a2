package io.gpupool.cli;

import com.google.protobuf.Timestamp;
import io.gpupool.proto.v1.LogLine;
import io.gpupool.proto.v1.LogStream;
import io.gpupool.proto.v1.Progress;
import io.gpupool.proto.v1.StateTransition;
import io.gpupool.proto.v1.TaskEvent;
import io.gpupool.proto.v1.TaskResult;
import io.gpupool.proto.v1.TaskState;
import java.time.Instant;

/** Builds task events with times {@code seconds} after {@link CliHarness#NOW}. */
final class TestEvents {
  private final String taskId;
  private long sequence;

  TestEvents(String taskId) {
    this.taskId = taskId;
  }

  static Timestamp at(long seconds) {
    Instant instant = CliHarness.NOW.plusSeconds(seconds);
    return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).build();
  }

  TaskEvent state(long seconds, TaskState state, String reason) {
    return next()
        .setStateChange(
            StateTransition.newBuilder().setState(state).setReason(reason).setTime(at(seconds)))
        .build();
  }

  TaskEvent ended(long seconds, TaskState state, String reason, TaskResult result) {
    return next()
        .setStateChange(
            StateTransition.newBuilder().setState(state).setReason(reason).setTime(at(seconds)))
        .setResult(result)
        .build();
  }

  TaskEvent progress(long seconds, Progress.Builder progress) {
    return next().setProgress(progress.setTime(at(seconds))).build();
  }

  TaskEvent stdout(String text) {
    return log(LogStream.LOG_STREAM_STDOUT, text);
  }

  TaskEvent stderr(String text) {
    return log(LogStream.LOG_STREAM_STDERR, text);
  }

  private TaskEvent log(LogStream stream, String text) {
    return next().setLog(LogLine.newBuilder().setStream(stream).setText(text)).build();
  }

  private TaskEvent.Builder next() {
    return TaskEvent.newBuilder().setTaskId(taskId).setSequence(++sequence);
  }
}
