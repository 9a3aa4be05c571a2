package io.gpupool.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gpupool.agent.Agent;
import io.gpupool.client.GpuPoolClient;
import io.gpupool.client.NodeState;
import io.gpupool.client.TaskHandle;
import io.gpupool.client.TaskSpec;
import io.gpupool.client.TaskState;
import io.gpupool.proto.v1.GetTaskRequest;
import io.gpupool.proto.v1.Task;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An agent with {@code --stop-work-after-disconnect} cut off (through a {@link TcpProxy}) for
 * longer than that limit, but not as long as the controller's node-lost deadline: the agent stops
 * the task during the cut, and once the network is back the controller records the task failed with
 * reason code CONTROLLER_UNREACHABLE. When the cut outlasts the controller's node-lost deadline
 * too, the task moves on, and the stale report of the stopped copy is ignored.
 */
@Timeout(60)
class StopWorkAfterDisconnectIT {
  @TempDir Path dir;

  @Test
  void aCutPastTheAgentsLimitStopsTheTaskWhichEndsFailedControllerUnreachable() throws Exception {
    try (TestCluster cluster =
            TestCluster.start(
                dir, TestCluster.controllerConfig(dir).nodeLostAfter(Duration.ofSeconds(60)));
        TcpProxy proxy = TcpProxy.start(cluster.port())) {
      Agent agent =
          cluster.startAgent(
              cluster
                  .agentConfig("cut-agent", "1xH100-80GB")
                  .controllerTarget("127.0.0.1:" + proxy.port())
                  .reconnectBackoffMax(Duration.ofMillis(300))
                  .stopWorkAfterDisconnect(Duration.ofSeconds(1)));
      GpuPoolClient client = cluster.client();
      Path pidFile = dir.resolve("pid");
      TaskHandle task = client.submit(runsUntilStopped(pidFile));
      await().atMost(Duration.ofSeconds(15)).until(() -> task.get().state() == TaskState.RUNNING);
      await().atMost(Duration.ofSeconds(5)).until(() -> hasPid(pidFile));
      long pid = Long.parseLong(Files.readString(pidFile).trim());

      proxy.cut();
      await()
          .alias("the agent stops the task while it cannot reach the controller")
          .atMost(Duration.ofSeconds(10))
          .until(() -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
      assertThat(agent.isConnected()).as("still cut off when the task stopped").isFalse();
      assertThat(task.get().state())
          .as("the controller has not heard yet, and did not move the task")
          .isEqualTo(TaskState.RUNNING);

      proxy.restore();
      await()
          .alias("the spooled ended update reaches the controller")
          .atMost(Duration.ofSeconds(15))
          .until(() -> task.get().state() == TaskState.FAILED);
      Task stored = getTask(cluster, task);
      assertThat(stored.getResult().getReasonCode()).isEqualTo("CONTROLLER_UNREACHABLE");
      assertThat(stored.getResult().getMessage())
          .isEqualTo("stopped after 1s without the controller (--stop-work-after-disconnect)");
      assertThat(stored.getReason()).startsWith("CONTROLLER_UNREACHABLE: stopped after 1s");
      assertThat(stored.getAttempt()).as("never run elsewhere").isEqualTo(1);
    }
  }

  @Test
  void theStoppedReportOfATaskRequeuedMeanwhileIsIgnored() throws Exception {
    try (TestCluster cluster =
            TestCluster.start(
                dir,
                TestCluster.controllerConfig(dir)
                    .heartbeatInterval(Duration.ofMillis(200))
                    .heartbeatTimeout(Duration.ofMillis(600))
                    .nodeLostAfter(Duration.ofSeconds(2)));
        TcpProxy proxy = TcpProxy.start(cluster.port())) {
      Agent cutOff =
          cluster.startAgent(
              cluster
                  .agentConfig("cut-agent", "1xH100-80GB")
                  .controllerTarget("127.0.0.1:" + proxy.port())
                  .reconnectBackoffMax(Duration.ofMillis(300))
                  .stopWorkAfterDisconnect(Duration.ofSeconds(1)));
      GpuPoolClient client = cluster.client();
      Path release = dir.resolve("release");
      TaskHandle task = client.submit(waitsFor(release));
      await().atMost(Duration.ofSeconds(15)).until(() -> hasPid(dir.resolve("pid-1")));
      long stalePid = Long.parseLong(Files.readString(dir.resolve("pid-1")).trim());

      proxy.cut();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> ProcessHandle.of(stalePid).map(p -> !p.isAlive()).orElse(true));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> nodeState(client, cutOff) == NodeState.LOST);
      Agent other = cluster.startAgent("other-agent", "1xH100-80GB");
      await().atMost(Duration.ofSeconds(10)).until(() -> hasPid(dir.resolve("pid-2")));

      proxy.restore();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> nodeState(client, cutOff) == NodeState.READY);
      await()
          .alias("the stale CONTROLLER_UNREACHABLE report does not end the moved task")
          .during(Duration.ofSeconds(1))
          .atMost(Duration.ofSeconds(3))
          .until(() -> task.get().state() == TaskState.RUNNING);
      assertThat(task.get().placement().orElseThrow().nodeId()).isEqualTo(other.nodeId());

      Files.writeString(release, "go");
      assertThat(task.await(Duration.ofSeconds(15)).state()).isEqualTo(TaskState.SUCCEEDED);
      Task stored = getTask(cluster, task);
      assertThat(stored.getAttempt()).isEqualTo(2);
      assertThat(stored.getResult().getReasonCode()).isEmpty();
    }
  }

  /** A task that notes its pid per attempt and waits for {@code release}. */
  private TaskSpec waitsFor(Path release) {
    String script =
        "echo $$ > "
            + dir
            + "/pid-$GPUPOOL_ATTEMPT.tmp && mv "
            + dir
            + "/pid-$GPUPOOL_ATTEMPT.tmp "
            + dir
            + "/pid-$GPUPOOL_ATTEMPT; while [ ! -e "
            + release
            + " ]; do sleep 0.05; done";
    return TaskSpec.builder()
        .name("moved-after-a-cut")
        .command(List.of("bash", "-c", script))
        .gpus(1)
        .build();
  }

  private static NodeState nodeState(GpuPoolClient client, Agent agent) {
    return client.listNodes().stream()
        .filter(n -> n.id().equals(agent.nodeId()))
        .findFirst()
        .orElseThrow()
        .state();
  }

  /** A task that notes its pid and runs until it is stopped. */
  private static TaskSpec runsUntilStopped(Path pidFile) {
    String script =
        "echo $$ > "
            + pidFile
            + ".tmp && mv "
            + pidFile
            + ".tmp "
            + pidFile
            + "; while true; do sleep 0.05; done";
    return TaskSpec.builder()
        .name("stopped-on-a-cut")
        .command(List.of("bash", "-c", script))
        .gpus(1)
        .build();
  }

  private static boolean hasPid(Path pidFile) {
    return Files.exists(pidFile);
  }

  private static Task getTask(TestCluster cluster, TaskHandle task) {
    return cluster.api().getTask(GetTaskRequest.newBuilder().setId(task.id()).build()).getTask();
  }
}
