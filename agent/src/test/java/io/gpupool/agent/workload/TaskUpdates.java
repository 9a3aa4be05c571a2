package io.gpupool.agent.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gpupool.agent.cuda.CudaDriverSource;
import io.gpupool.agent.device.SimulateSpec;
import io.gpupool.agent.device.SimulatedBackend;
import io.gpupool.proto.v1.CommandWorkload;
import io.gpupool.proto.v1.LogLine;
import io.gpupool.proto.v1.LogStream;
import io.gpupool.proto.v1.TaskEnded;
import io.gpupool.proto.v1.TaskSpec;
import io.gpupool.proto.v1.TaskUpdate;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/** What the tests of command workloads ask of a runner's updates, and how they make runners. */
final class TaskUpdates {

  private TaskUpdates() {}

  /** A runner on simulated devices with the given workload settings, reporting into the list. */
  static TaskRunner runner(
      Path stateDir, Clock clock, List<TaskUpdate> updates, WorkloadSettings settings) {
    return new TaskRunner(
        new SimulatedBackend(SimulateSpec.parse("1xA100-80GB"), "node-1", 7),
        stateDir,
        clock,
        updates::add,
        CudaDriverSource.unavailable("no CUDA in this test"),
        Duration.ofSeconds(1),
        settings);
  }

  /** A {@code sh -c} task, with the given working dir unless null. */
  static TaskSpec sh(String script, Path workingDir) {
    CommandWorkload.Builder command =
        CommandWorkload.newBuilder().addArgv("sh").addArgv("-c").addArgv(script);
    if (workingDir != null) {
      command.setWorkingDir(workingDir.toString());
    }
    return TaskSpec.newBuilder().setCommand(command).build();
  }

  static List<TaskUpdate> of(List<TaskUpdate> updates, String taskId) {
    return updates.stream().filter(u -> u.getTaskId().equals(taskId)).toList();
  }

  static List<LogLine> lines(List<TaskUpdate> updates, String taskId) {
    return of(updates, taskId).stream()
        .filter(TaskUpdate::hasLogs)
        .flatMap(u -> u.getLogs().getLinesList().stream())
        .toList();
  }

  static List<String> stdout(List<TaskUpdate> updates, String taskId) {
    return text(updates, taskId, LogStream.LOG_STREAM_STDOUT);
  }

  static List<String> stderr(List<TaskUpdate> updates, String taskId) {
    return text(updates, taskId, LogStream.LOG_STREAM_STDERR);
  }

  private static List<String> text(List<TaskUpdate> updates, String taskId, LogStream stream) {
    return lines(updates, taskId).stream()
        .filter(l -> l.getStream() == stream)
        .map(LogLine::getText)
        .toList();
  }

  static boolean started(List<TaskUpdate> updates, String taskId) {
    return of(updates, taskId).stream().anyMatch(TaskUpdate::hasStarted);
  }

  /** Waits for the task's one ended update, which must be its last. */
  static TaskEnded awaitEnded(List<TaskUpdate> updates, String taskId) {
    await().until(() -> of(updates, taskId).stream().anyMatch(TaskUpdate::hasEnded));
    List<TaskUpdate> task = of(updates, taskId);
    assertThat(task.stream().filter(TaskUpdate::hasEnded)).hasSize(1);
    assertThat(task.get(task.size() - 1).hasEnded()).as("ended is the last update").isTrue();
    return task.get(task.size() - 1).getEnded();
  }
}
