package io.gpupool.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gpupool.agent.Agent;
import io.gpupool.client.GpuPoolClient;
import io.gpupool.client.NodeState;
import io.gpupool.client.TaskHandle;
import io.gpupool.client.TaskResult;
import io.gpupool.client.TaskSpec;
import io.gpupool.client.TaskState;
import io.gpupool.proto.v1.GetTaskRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The network between an agent and the controller is cut (through a {@link TcpProxy} the test
 * controls) while a task runs. A short cut loses and duplicates nothing; a cut past the lost
 * deadline moves the task, and the node that comes back is told to kill its stale copy.
 */
@Timeout(120)
class NetworkCutIT {
  @TempDir Path dir;

  @Test
  void aCutShorterThanTheLostDeadlineLosesAndDuplicatesNothing() throws Exception {
    try (TestCluster cluster =
            TestCluster.start(dir, TestCluster.controllerConfig(dir).nodeLostAfter(ofSeconds(60)));
        TcpProxy proxy = TcpProxy.start(cluster.port())) {
      Agent agent =
          cluster.startAgent(
              cluster
                  .agentConfig("cut-agent", "1xH100-80GB")
                  .controllerTarget("127.0.0.1:" + proxy.port())
                  .reconnectBackoffMax(Duration.ofMillis(300)));
      GpuPoolClient client = cluster.client();
      Path ran = dir.resolve("ran");
      Path release = dir.resolve("release");
      TaskHandle task = client.submit(onceThenWaitFor(ran, release, "survives-a-cut"));
      await().atMost(ofSeconds(30)).until(() -> task.get().state() == TaskState.RUNNING);

      proxy.cut();
      await().atMost(ofSeconds(20)).until(() -> nodeState(client, agent) != NodeState.READY);
      Files.writeString(release, "go");
      await().atMost(ofSeconds(20)).until(() -> Files.readAllLines(ran).contains("done"));
      proxy.restore();

      TaskResult result = task.await(ofSeconds(60));
      assertThat(result.state()).isEqualTo(TaskState.SUCCEEDED);
      assertThat(Files.readAllLines(ran)).as("ran exactly once").containsExactly("start", "done");
      assertThat(attempt(cluster, task)).isEqualTo(1);
      await().atMost(ofSeconds(20)).until(() -> nodeState(client, agent) == NodeState.READY);
    }
  }

  @Test
  void aCutPastTheLostDeadlineMovesTheTaskAndTheStaleCopyIsKilledWhenTheNodeReturns()
      throws Exception {
    try (TestCluster cluster =
            TestCluster.start(
                dir,
                TestCluster.controllerConfig(dir)
                    .heartbeatInterval(Duration.ofMillis(200))
                    .heartbeatTimeout(Duration.ofMillis(600))
                    .nodeLostAfter(ofSeconds(2)));
        TcpProxy proxy = TcpProxy.start(cluster.port())) {
      Agent cutOff =
          cluster.startAgent(
              cluster
                  .agentConfig("cut-agent", "1xH100-80GB")
                  .controllerTarget("127.0.0.1:" + proxy.port())
                  .reconnectBackoffMax(Duration.ofMillis(300)));
      GpuPoolClient client = cluster.client();
      Path ran = dir.resolve("ran");
      Path release = dir.resolve("release");
      TaskHandle task = client.submit(onceThenWaitFor(ran, release, "moves-on-a-long-cut"));
      await().atMost(ofSeconds(30)).until(() -> task.get().state() == TaskState.RUNNING);
      long stalePid = Long.parseLong(Files.readString(dir.resolve("pid-1")).trim());

      proxy.cut();
      await().atMost(ofSeconds(30)).until(() -> nodeState(client, cutOff) == NodeState.LOST);
      Agent other = cluster.startAgent("other-agent", "1xH100-80GB");
      await().atMost(ofSeconds(30)).until(() -> Files.exists(dir.resolve("pid-2")));
      assertThat(task.get().placement().orElseThrow().nodeId()).isEqualTo(other.nodeId());

      proxy.restore();
      await()
          .alias("the returning node kills the copy that now runs elsewhere")
          .atMost(ofSeconds(30))
          .until(() -> ProcessHandle.of(stalePid).map(p -> !p.isAlive()).orElse(true));
      Files.writeString(release, "go");
      TaskResult result = task.await(ofSeconds(60));
      assertThat(result.state()).isEqualTo(TaskState.SUCCEEDED);
      assertThat(attempt(cluster, task)).isEqualTo(2);
      assertThat(Files.readAllLines(ran))
          .as("both attempts started, only the moved one finished")
          .containsExactly("start", "start", "done");
    }
  }

  /** A task that notes its start and pid, waits for {@code release}, then notes that it is done. */
  private static TaskSpec onceThenWaitFor(Path ran, Path release, String name) {
    Path base = ran.getParent();
    String script =
        "echo start >> "
            + ran
            + "; echo $$ > "
            + base
            + "/pid-$GPUPOOL_ATTEMPT; while [ ! -e "
            + release
            + " ]; do sleep 0.05; done; echo done >> "
            + ran;
    return TaskSpec.builder().name(name).command(List.of("bash", "-c", script)).gpus(1).build();
  }

  private static NodeState nodeState(GpuPoolClient client, Agent agent) {
    return client.listNodes().stream()
        .filter(n -> n.id().equals(agent.nodeId()))
        .findFirst()
        .orElseThrow()
        .state();
  }

  private static int attempt(TestCluster cluster, TaskHandle task) {
    return cluster
        .api()
        .getTask(GetTaskRequest.newBuilder().setId(task.id()).build())
        .getTask()
        .getAttempt();
  }

  private static Duration ofSeconds(long seconds) {
    return Duration.ofSeconds(seconds);
  }
}
