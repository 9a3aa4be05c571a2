package io.gpupool.controller.loop;

import io.gpupool.controller.state.TaskEntry;
import io.gpupool.proto.v1.CancelTaskCommand;
import io.gpupool.proto.v1.ConnectResponse;
import io.gpupool.proto.v1.PreemptTaskCommand;
import io.gpupool.proto.v1.StartTask;
import java.time.Duration;
import java.util.Map;

/** The commands the controller sends agents, built from a task's current record. */
final class AgentCommands {
  private static final Duration DEFAULT_KILL_GRACE = Duration.ofSeconds(10);

  private AgentCommands() {}

  static ConnectResponse start(TaskEntry task, Map<String, String> env) {
    return ConnectResponse.newBuilder()
        .setStartTask(
            StartTask.newBuilder()
                .setTaskId(task.id())
                .setSpec(task.task().getSpec())
                .addAllDeviceIndices(task.task().getPlacement().getDeviceIndicesList())
                .setAttempt(task.task().getAttempt())
                .putAllEnv(env))
        .build();
  }

  static ConnectResponse preempt(TaskEntry task, String reason, Duration notice) {
    return ConnectResponse.newBuilder()
        .setPreemptTask(
            PreemptTaskCommand.newBuilder()
                .setTaskId(task.id())
                .setReason(reason)
                .setNoticePeriod(
                    com.google.protobuf.Duration.newBuilder().setSeconds(notice.toSeconds())))
        .build();
  }

  static ConnectResponse cancel(TaskEntry task) {
    var spec = task.task().getSpec();
    var grace =
        spec.hasKillGracePeriod()
            ? spec.getKillGracePeriod()
            : com.google.protobuf.Duration.newBuilder()
                .setSeconds(DEFAULT_KILL_GRACE.toSeconds())
                .build();
    return ConnectResponse.newBuilder()
        .setCancelTask(CancelTaskCommand.newBuilder().setTaskId(task.id()).setGracePeriod(grace))
        .build();
  }

  /** Stops a task the controller no longer places on this node, with the default grace. */
  static ConnectResponse kill(String taskId) {
    return ConnectResponse.newBuilder()
        .setCancelTask(
            CancelTaskCommand.newBuilder()
                .setTaskId(taskId)
                .setGracePeriod(
                    com.google.protobuf.Duration.newBuilder()
                        .setSeconds(DEFAULT_KILL_GRACE.toSeconds())))
        .build();
  }
}
