package io.gpupool.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.codahale.metrics.MetricRegistry;
import io.gpupool.proto.v1.CommandWorkload;
import io.gpupool.proto.v1.ConnectResponse;
import io.gpupool.proto.v1.StartTask;
import io.gpupool.proto.v1.TaskSpec;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A running agent times its device samples, counts its heartbeats and running tasks, over JMX. */
@Timeout(60)
class AgentMetricsTest {
  private static final String TOKEN = "join-secret";

  @TempDir Path stateDir;
  @TempDir Path workDir;

  private final String serverName = InProcessServerBuilder.generateName();
  private final FakeAgentService controller = new FakeAgentService(TOKEN);
  private Server server;
  private Agent agent;

  @BeforeEach
  void start() throws Exception {
    server =
        InProcessServerBuilder.forName(serverName)
            .directExecutor()
            .addService(controller)
            .build()
            .start();
    controller.autoAck = true;
    agent =
        Agent.start(
            AgentConfig.builder()
                .controllerTarget("controller.test:7070")
                .joinToken(TOKEN)
                .stateDir(stateDir)
                .nodeName("node-a")
                .simulate("2xA100-80GB")
                .heartbeatInterval(Duration.ofMillis(50))
                .reconnectBackoffMin(Duration.ofMillis(10))
                .reconnectBackoffMax(Duration.ofMillis(50))
                .channelFactory(target -> InProcessChannelBuilder.forName(serverName).build())
                .build());
  }

  @AfterEach
  void stop() throws InterruptedException {
    agent.close();
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void samplesAndHeartbeatsAreCounted() {
    MetricRegistry metrics = agent.metrics();

    await().until(() -> controller.streams.size() == 1 && controller.latest().heartbeats() >= 3);
    assertThat(metrics.timer("gpupool.agent.sample").getCount()).isPositive();
    assertThat(metrics.meter("gpupool.agent.heartbeats").getCount()).isGreaterThanOrEqualTo(3);
  }

  @Test
  void theRunningTasksGaugeFollowsTheTasks() {
    await().until(() -> controller.streams.size() == 1 && controller.latest().heartbeats() >= 1);
    assertThat(running()).isEqualTo(0);

    controller
        .latest()
        .send(
            ConnectResponse.newBuilder()
                .setStartTask(
                    StartTask.newBuilder()
                        .setTaskId("t-1")
                        .setSpec(
                            TaskSpec.newBuilder()
                                .setCommand(
                                    CommandWorkload.newBuilder()
                                        .addArgv("sleep")
                                        .addArgv("30")
                                        .setWorkingDir(workDir.toString())))
                        .addDeviceIndices(0))
                .build());

    await().until(() -> running().equals(1));
  }

  @Test
  void theMetricsAreExportedOverJmxInTheAgentDomain() throws Exception {
    assertThat(
            ManagementFactory.getPlatformMBeanServer()
                .queryNames(
                    new ObjectName("gpupool.agent:name=gpupool.agent.tasks.running,*"), null))
        .isNotEmpty();
  }

  private Object running() {
    return agent.metrics().getGauges().get("gpupool.agent.tasks.running").getValue();
  }
}
