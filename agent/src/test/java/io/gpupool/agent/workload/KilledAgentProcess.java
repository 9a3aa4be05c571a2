package io.gpupool.agent.workload;

import static org.awaitility.Awaitility.await;

import io.gpupool.agent.device.SimulateSpec;
import io.gpupool.agent.device.SimulatedBackend;
import io.gpupool.proto.v1.CommandWorkload;
import io.gpupool.proto.v1.TaskSpec;
import io.gpupool.proto.v1.TaskUpdate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The agent process that {@link TaskRunnerKillNineTest} kills with SIGKILL: starts one task, says
 * "ready" (a file) once the task's first line is reported, and waits to be killed.
 */
public final class KilledAgentProcess {

  private KilledAgentProcess() {}

  /**
   * @param args the state dir, the task id, the working dir and the task's bash script
   */
  public static void main(String[] args) throws InterruptedException, java.io.IOException {
    Path stateDir = Path.of(args[0]);
    String taskId = args[1];
    Path workDir = Path.of(args[2]);
    List<TaskUpdate> updates = new CopyOnWriteArrayList<>();
    TaskRunner runner =
        new TaskRunner(
            new SimulatedBackend(SimulateSpec.parse("1xA100-80GB"), "node-1", 1),
            stateDir,
            Clock.systemUTC(),
            updates::add);
    runner.start(
        taskId,
        TaskSpec.newBuilder()
            .setCommand(
                CommandWorkload.newBuilder()
                    .addArgv("bash")
                    .addArgv("-c")
                    .addArgv(args[3])
                    .setWorkingDir(workDir.toString()))
            .build(),
        List.of(0));
    SupervisorDir dir = new SupervisorDir(stateDir.resolve("tasks").resolve(taskId));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> updates.stream().anyMatch(TaskUpdate::hasLogs));
    await().atMost(Duration.ofSeconds(30)).until(() -> dir.reportedOffsets()[0] > 0);
    Files.createFile(workDir.resolve("ready"));
    Thread.currentThread().join(); // until killed
  }
}
