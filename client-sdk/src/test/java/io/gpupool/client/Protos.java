package io.gpupool.client;

import com.google.protobuf.Timestamp;
import io.gpupool.proto.v1.CommandWorkload;
import io.gpupool.proto.v1.LogLine;
import io.gpupool.proto.v1.LogStream;
import io.gpupool.proto.v1.Progress;
import io.gpupool.proto.v1.Resources;
import io.gpupool.proto.v1.StateTransition;
import io.gpupool.proto.v1.Task;
import io.gpupool.proto.v1.TaskEvent;
import io.gpupool.proto.v1.TaskResult;
import io.gpupool.proto.v1.TaskSpec;
import io.gpupool.proto.v1.TaskState;
import java.time.Instant;

/** Builders of the wire messages the fake controller answers with. */
final class Protos {
  static final Instant T0 = Instant.parse("2026-11-02T10:00:00Z");

  private Protos() {}

  static Timestamp time(long secondsAfterT0) {
    return Timestamp.newBuilder().setSeconds(T0.getEpochSecond() + secondsAfterT0).build();
  }

  /** A task with a one-GPU command spec, in the given state. */
  static Task task(String id, TaskState state) {
    return Task.newBuilder()
        .setId(id)
        .setSpec(
            TaskSpec.newBuilder()
                .setName("train")
                .setResources(Resources.newBuilder().setGpus(1))
                .setCommand(CommandWorkload.newBuilder().addArgv("python")))
        .setState(state)
        .setCreateTime(time(0))
        .build();
  }

  /** A task that ended in {@code state} with the given exit code and message. */
  static Task endedTask(String id, TaskState state, int exitCode, String message) {
    return task(id, state).toBuilder()
        .setStartTime(time(1))
        .setEndTime(time(9))
        .setResult(TaskResult.newBuilder().setExitCode(exitCode).setMessage(message))
        .build();
  }

  static TaskEvent stateChange(String taskId, long sequence, TaskState state) {
    TaskEvent.Builder event =
        TaskEvent.newBuilder()
            .setTaskId(taskId)
            .setSequence(sequence)
            .setStateChange(
                StateTransition.newBuilder()
                    .setState(state)
                    .setReason("reason " + sequence)
                    .setTime(time(sequence)));
    if (state == TaskState.TASK_STATE_SUCCEEDED || state == TaskState.TASK_STATE_FAILED) {
      int exitCode = state == TaskState.TASK_STATE_SUCCEEDED ? 0 : 3;
      event.setResult(
          TaskResult.newBuilder().setExitCode(exitCode).setMessage("exited " + exitCode));
    }
    return event.build();
  }

  static TaskEvent progress(String taskId, long sequence, double percent) {
    return TaskEvent.newBuilder()
        .setTaskId(taskId)
        .setSequence(sequence)
        .setProgress(
            Progress.newBuilder()
                .setPercent(percent)
                .setStep(5)
                .setTotalSteps(10)
                .putMetrics("loss", 0.31)
                .setMessage("halfway")
                .setTime(time(sequence)))
        .build();
  }

  static TaskEvent log(String taskId, long sequence, LogStream stream, String text) {
    return TaskEvent.newBuilder()
        .setTaskId(taskId)
        .setSequence(sequence)
        .setLog(LogLine.newBuilder().setStream(stream).setText(text).setTime(time(sequence)))
        .build();
  }
}
