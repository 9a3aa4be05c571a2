package io.gpupool.agent.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gpupool.agent.device.SimulateSpec;
import io.gpupool.agent.device.SimulatedBackend;
import io.gpupool.proto.v1.LogLine;
import io.gpupool.proto.v1.TaskEnded;
import io.gpupool.proto.v1.TaskUpdate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real agent crash: the runner lives in another JVM, killed with SIGKILL. Its task's supervisor
 * is then nobody's child but init's, has no pipe to any agent, and a runner in this JVM takes it
 * over.
 */
@Timeout(60)
class TaskRunnerKillNineTest {

  @TempDir Path stateDir;
  @TempDir Path workDir;

  private Process agent;
  private TaskRunner restarted;

  @AfterEach
  void tearDown() {
    if (agent != null) {
      agent.destroyForcibly();
    }
    if (restarted != null) {
      restarted.close();
    }
  }

  @Test
  void aTaskOutlivesItsAgentKilledWithSigkillAndIsReportedOnceByTheNextOne() throws Exception {
    String javaCommand = ProcessHandle.current().info().command().orElse("java");
    agent =
        new ProcessBuilder(
                javaCommand,
                "-cp",
                System.getProperty("java.class.path"),
                KilledAgentProcess.class.getName(),
                stateDir.toString(),
                "t-k9",
                workDir.toString(),
                "echo before; while [ ! -e go ]; do sleep 0.02; done; echo after; exit 5")
            .redirectErrorStream(true)
            .redirectOutput(workDir.resolve("agent.log").toFile())
            .start();
    await().atMost(Duration.ofSeconds(45)).until(() -> Files.exists(workDir.resolve("ready")));
    long supervisor =
        new SupervisorDir(stateDir.resolve("tasks").resolve("t-k9")).pid().orElseThrow();

    agent.destroyForcibly(); // SIGKILL
    agent.waitFor();

    ProcessHandle orphan = ProcessHandle.of(supervisor).orElseThrow();
    assertThat(orphan.isAlive()).as("the supervisor outlives its agent").isTrue();
    List<TaskUpdate> updates = new CopyOnWriteArrayList<>();
    restarted =
        new TaskRunner(
            new SimulatedBackend(SimulateSpec.parse("1xA100-80GB"), "node-1", 1),
            stateDir,
            Clock.systemUTC(),
            updates::add);
    assertThat(restarted.reattach()).containsExactly("t-k9");
    assertThat(restarted.runningTaskIds()).containsExactly("t-k9");

    Files.createFile(workDir.resolve("go"));

    await().until(() -> updates.stream().anyMatch(TaskUpdate::hasEnded));
    TaskEnded ended = updates.get(updates.size() - 1).getEnded();
    assertThat(ended.getResult().getExitCode()).isEqualTo(5);
    assertThat(updates.stream().filter(TaskUpdate::hasEnded)).hasSize(1);
    assertThat(
            updates.stream()
                .filter(TaskUpdate::hasLogs)
                .flatMap(u -> u.getLogs().getLinesList().stream())
                .map(LogLine::getText))
        .containsExactly("after");
  }
}
