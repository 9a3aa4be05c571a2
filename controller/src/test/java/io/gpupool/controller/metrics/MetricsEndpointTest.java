package io.gpupool.controller.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpupool.controller.Controller;
import io.gpupool.controller.ControllerConfig;
import io.gpupool.controller.testing.TestSpecs;
import io.gpupool.proto.v1.AgentHello;
import io.gpupool.proto.v1.AgentServiceGrpc;
import io.gpupool.proto.v1.ConnectRequest;
import io.gpupool.proto.v1.ConnectResponse;
import io.gpupool.proto.v1.DeviceInfo;
import io.gpupool.proto.v1.DeviceStatus;
import io.gpupool.proto.v1.Heartbeat;
import io.gpupool.proto.v1.RegisterRequest;
import io.gpupool.proto.v1.SchedulerServiceGrpc;
import io.gpupool.proto.v1.SubmitTaskRequest;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import javax.management.ObjectName;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A running controller exposes its metrics at /metrics (Prometheus text) and over JMX. */
@Timeout(60)
class MetricsEndpointTest {
  private static final Duration DEADLINE = Duration.ofSeconds(20);

  @TempDir Path dir;
  private Controller controller;
  private ManagedChannel channel;
  private StreamObserver<ConnectRequest> agentStream;

  @BeforeEach
  void start() throws Exception {
    controller =
        Controller.start(
            ControllerConfig.builder()
                .insecure(true)
                .host("127.0.0.1")
                .grpcPort(0)
                .httpPort(0)
                .dataDir(dir.resolve("data"))
                .joinToken("join")
                .authentication(false)
                .build());
    channel =
        Grpc.newChannelBuilderForAddress(
                "127.0.0.1", controller.grpcPort(), InsecureChannelCredentials.create())
            .build();
  }

  @AfterEach
  void stop() {
    if (agentStream != null) {
      agentStream.onCompleted();
    }
    channel.shutdownNow();
    controller.close();
  }

  @Test
  void afterASubmitAndAHeartbeatMetricsShowSubmitsDecisionsAgentsAndGpuTelemetry()
      throws Exception {
    connectAgent("node-1.example", 42.5);
    SchedulerServiceGrpc.newBlockingStub(channel)
        .submitTask(
            SubmitTaskRequest.newBuilder()
                .setSpec(TestSpecs.gpuTask().setTenant("team-a"))
                .build());

    Awaitility.await()
        .atMost(DEADLINE)
        .untilAsserted(
            () -> {
              String page = metricsPage();
              assertThat(value(page, "gpupool_submits_total")).isGreaterThan(0);
              assertThat(value(page, "gpupool_scheduling_decision_count")).isGreaterThan(0);
              assertThat(value(page, "gpupool_store_commit_count")).isGreaterThan(0);
              assertThat(value(page, "gpupool_heartbeats_total")).isGreaterThan(0);
              assertThat(value(page, "gpupool_agents_connected")).isEqualTo(1);
              assertThat(
                      value(
                          page,
                          "gpupool_gpu_utilization_percent{gpu=\"0\",node=\"node-1_example\"}"))
                  .isEqualTo(42.5);
              assertThat(value(page, "gpupool_placements_total")).isEqualTo(1);
              assertThat(value(page, "gpupool_tasks{state=\"scheduled\"}")).isEqualTo(1);
            });
  }

  @Test
  void theRegistryIsExportedOverJmxInTheGpupoolDomain() throws Exception {
    assertThat(
            ManagementFactory.getPlatformMBeanServer()
                .queryNames(new ObjectName("gpupool:name=gpupool.scheduling.decision,*"), null))
        .isNotEmpty();
  }

  @Test
  void metricsAreServedInThePrometheusTextFormat() throws Exception {
    HttpResponse<String> response = get("/metrics");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("text/plain; version=0.0.4"));
    assertThat(response.body()).contains("# TYPE gpupool_scheduling_decision summary");
  }

  private void connectAgent(String nodeId, double utilization) {
    String credential =
        AgentServiceGrpc.newBlockingStub(channel)
            .register(
                RegisterRequest.newBuilder()
                    .setJoinToken("join")
                    .setNodeId(nodeId)
                    .setNodeName(nodeId)
                    .addDevices(
                        DeviceInfo.newBuilder()
                            .setIndex(0)
                            .setUuid("GPU-0")
                            .setModel("NVIDIA H100 80GB")
                            .setMemoryTotalBytes(80L << 30))
                    .build())
            .getNodeCredential();
    agentStream =
        AgentServiceGrpc.newStub(channel)
            .connect(
                new StreamObserver<ConnectResponse>() {
                  @Override
                  public void onNext(ConnectResponse value) {}

                  @Override
                  public void onError(Throwable t) {}

                  @Override
                  public void onCompleted() {}
                });
    agentStream.onNext(
        ConnectRequest.newBuilder()
            .setHello(
                AgentHello.newBuilder()
                    .setNodeId(nodeId)
                    .setNodeCredential(credential)
                    .setInstanceId("i-1"))
            .build());
    agentStream.onNext(
        ConnectRequest.newBuilder()
            .setHeartbeat(
                Heartbeat.newBuilder()
                    .addDevices(
                        DeviceStatus.newBuilder()
                            .setIndex(0)
                            .setHealthy(true)
                            .setUtilizationPercent(utilization)
                            .setMemoryUsedBytes(1L << 30)
                            .setPowerWatts(300)))
            .build());
  }

  private String metricsPage() throws Exception {
    return get("/metrics").body();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + controller.httpPort() + path))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  /** The value of the sample line that starts with {@code series}, or -1 when there is none. */
  private static double value(String page, String series) {
    return page.lines()
        .filter(line -> line.startsWith(series + " "))
        .mapToDouble(line -> Double.parseDouble(line.substring(series.length() + 1).trim()))
        .findFirst()
        .orElse(-1);
  }
}
