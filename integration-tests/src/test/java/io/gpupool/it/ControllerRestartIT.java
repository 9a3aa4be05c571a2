package io.gpupool.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gpupool.agent.Agent;
import io.gpupool.client.GpuPoolClient;
import io.gpupool.client.TaskEvent;
import io.gpupool.client.TaskHandle;
import io.gpupool.client.TaskResult;
import io.gpupool.client.TaskSpec;
import io.gpupool.client.TaskState;
import io.gpupool.controller.Controller;
import io.gpupool.controller.auth.AdminTokenFile;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The controller goes away while a task runs: the agent keeps it running, and what happened
 * meanwhile (its output and its exit code) reaches the restarted controller when the agent
 * reconnects; pending tasks are still there, in order.
 */
@Timeout(120)
class ControllerRestartIT {
  @TempDir Path dir;

  @Test
  void aTaskThatEndsWhileTheControllerIsAwayIsReportedAfterItsRestart() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Path release = dir.resolve("release");
    Controller first = Controller.start(TestCluster.controllerConfig(dir).grpcPort(port).build());
    Agent agent = null;
    Controller second = null;
    String adminToken =
        Files.readString(dir.resolve("controller").resolve(AdminTokenFile.FILE_NAME)).strip();
    try (GpuPoolClient client =
        GpuPoolClient.builder().target("127.0.0.1:" + port).token(adminToken).build()) {
      agent =
          Agent.start(
              io.gpupool.agent.AgentConfig.builder()
                  .controllerTarget("127.0.0.1:" + port)
                  .joinToken(TestCluster.JOIN_TOKEN)
                  .stateDir(dir.resolve("agent"))
                  .simulate("1xH100-80GB")
                  .heartbeatInterval(Duration.ofMillis(200))
                  .reconnectBackoffMax(Duration.ofMillis(500))
                  .build());
      TaskHandle running =
          client.submit(
              TaskSpec.builder()
                  .name("outlives-the-controller")
                  .command(
                      "bash",
                      "-c",
                      "echo before; while [ ! -e "
                          + release
                          + " ]; do sleep 0.1; done; echo after; exit 3")
                  .gpus(1)
                  .build());
      TaskHandle queued1 =
          client.submit(TaskSpec.builder().name("queued-1").command("true").gpus(1).build());
      TaskHandle queued2 =
          client.submit(TaskSpec.builder().name("queued-2").command("true").gpus(1).build());
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> running.get().state() == TaskState.RUNNING);

      first.close();
      Files.writeString(release, "go");
      second = Controller.start(TestCluster.controllerConfig(dir).grpcPort(port).build());

      TaskResult result = running.await(Duration.ofSeconds(60));
      assertThat(result.state()).isEqualTo(TaskState.FAILED);
      assertThat(result.exitCode()).hasValue(3);
      List<String> lines = new ArrayList<>();
      running
          .events()
          .forEachRemaining(
              e -> {
                if (e instanceof TaskEvent.LogLine line) {
                  lines.add(line.text());
                }
              });
      assertThat(lines).containsExactly("before", "after");
      TaskResult one = queued1.await(Duration.ofSeconds(60));
      TaskResult two = queued2.await(Duration.ofSeconds(60));
      assertThat(one.state()).isEqualTo(TaskState.SUCCEEDED);
      assertThat(two.state()).isEqualTo(TaskState.SUCCEEDED);
      assertThat(one.task().startTime().orElseThrow())
          .as("pending tasks keep their order")
          .isBeforeOrEqualTo(two.task().startTime().orElseThrow());
    } finally {
      if (agent != null) {
        agent.close();
      }
      if (second != null) {
        second.close();
      }
      first.close();
    }
  }
}
