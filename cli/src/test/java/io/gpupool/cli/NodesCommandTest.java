package io.gpupool.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.JsonFormat;
import io.gpupool.proto.v1.DeviceInfo;
import io.gpupool.proto.v1.DeviceSample;
import io.gpupool.proto.v1.DeviceStatus;
import io.gpupool.proto.v1.Gpu;
import io.gpupool.proto.v1.GpuQuarantine;
import io.gpupool.proto.v1.ListNodesResponse;
import io.gpupool.proto.v1.Node;
import io.gpupool.proto.v1.NodeState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class NodesCommandTest {
  private static final long GIB = 1L << 30;

  private static final ListNodesResponse NODES =
      ListNodesResponse.newBuilder()
          .addNodes(
              Node.newBuilder()
                  .setId("n-1")
                  .setName("node-a")
                  .setState(NodeState.NODE_STATE_READY)
                  .setDriverVersion("550.54.15")
                  .setCudaDriverVersion("12.4")
                  .setLastHeartbeatTime(TestEvents.at(-2))
                  .addGpus(gpu(0, "NVIDIA H100 80GB HBM3", 80).setStatus(status(0, 45, 12)))
                  .addGpus(
                      gpu(1, "NVIDIA H100 80GB HBM3", 80)
                          .setStatus(
                              status(1, 100, 70)
                                  .setHealthy(false)
                                  .setHealthReason("XID 79 (GPU has fallen off the bus)"))
                          .setTaskId("t-12")))
          .addNodes(
              Node.newBuilder()
                  .setId("n-2")
                  .setName("node-b")
                  .setState(NodeState.NODE_STATE_DISCONNECTED)
                  .addGpus(gpu(0, "SIM A100", 40)))
          .build();

  private CliHarness cli;

  @BeforeEach
  void startFakeController() throws Exception {
    cli = new CliHarness();
    cli.scheduler.nodes = NODES;
  }

  @AfterEach
  void stopFakeController() throws Exception {
    cli.close();
  }

  private static Gpu.Builder gpu(int index, String model, long memoryGib) {
    return Gpu.newBuilder()
        .setInfo(
            DeviceInfo.newBuilder()
                .setIndex(index)
                .setModel(model)
                .setMemoryTotalBytes(memoryGib * GIB)
                .setUuid("GPU-" + index));
  }

  private static DeviceStatus.Builder status(int index, double util, long memoryUsedGib) {
    return DeviceStatus.newBuilder()
        .setIndex(index)
        .setUtilizationPercent(util)
        .setMemoryUsedBytes(memoryUsedGib * GIB)
        .setPowerWatts(301.4)
        .setPowerLimitWatts(700)
        .setTemperatureCelsius(61.6)
        .setHealthy(true);
  }

  @Test
  void printsNodesWithTheirGpusTelemetryAndHealthIndentedBeneath() {
    CliHarness.Result result = cli.run("nodes");

    assertThat(result.exitCode()).isZero();
    assertThat(result.outLines())
        .containsExactly(
            "NODE    STATE         GPUS(free/total)  MODEL                  HEARTBEAT  DRIVER",
            "node-a  READY         1/2               NVIDIA H100 80GB HBM3  2s ago     550.54.15 (CUDA 12.4)",
            "  gpu 0  NVIDIA H100 80GB HBM3  12.0/80.0 GiB  45%   301/700 W  62 C  free       ok",
            "  gpu 1  NVIDIA H100 80GB HBM3  70.0/80.0 GiB  100%  301/700 W  62 C  task t-12  UNHEALTHY: XID 79 (GPU has fallen off the bus)",
            "node-b  DISCONNECTED  1/1               SIM A100               never      -",
            "  gpu 0  SIM A100               -/40.0 GiB     -%    -/- W      - C   free       -");
    assertThat(cli.scheduler.nodeRequests.get(0).getIncludeHistory()).isFalse();
  }

  @Test
  void measurementsTheDriverDoesNotReportPrintAsDashesAndQuarantineWinsOverHealth() {
    cli.scheduler.nodes =
        ListNodesResponse.newBuilder()
            .addNodes(
                Node.newBuilder()
                    .setName("node-c")
                    .setState(NodeState.NODE_STATE_READY)
                    .setDriverVersion("535.104.05")
                    .setLastHeartbeatTime(TestEvents.at(-1))
                    .addGpus(
                        gpu(0, "Tesla T4", 16)
                            .setInfo(
                                gpu(0, "Tesla T4", 16).getInfo().toBuilder().setPowerLimitWatts(70))
                            .setStatus(
                                DeviceStatus.newBuilder()
                                    .setIndex(0)
                                    .setMemoryUsedBytes(GIB / 2)
                                    .setHealthy(true)))
                    .addGpus(
                        gpu(1, "Tesla T4", 16)
                            .setStatus(
                                status(1, 0, 0)
                                    .setHealthy(false)
                                    .setHealthReason("XID 48 (double-bit ECC error)"))
                            .setQuarantine(
                                GpuQuarantine.newBuilder()
                                    .setReason("XID 48 (double-bit ECC error)")
                                    .setSince(TestEvents.at(-60))))
                    .addGpus(gpu(2, "Tesla T4", 16).setStatus(status(2, 0, 0).setHealthy(false))))
            .build();

    CliHarness.Result result = cli.run("nodes");

    assertThat(result.exitCode()).isZero();
    assertThat(result.outLines())
        .containsExactly(
            "NODE    STATE  GPUS(free/total)  MODEL     HEARTBEAT  DRIVER",
            "node-c  READY  3/3               Tesla T4  1s ago     535.104.05",
            "  gpu 0  Tesla T4  0.5/16.0 GiB  -%  -/70 W     - C   free  ok",
            "  gpu 1  Tesla T4  0.0/16.0 GiB  0%  301/700 W  62 C  free  QUARANTINED: XID 48 (double-bit ECC error)",
            "  gpu 2  Tesla T4  0.0/16.0 GiB  0%  301/700 W  62 C  free  UNHEALTHY");
  }

  @Test
  void jsonPrintsTheListNodesResponse() throws Exception {
    CliHarness.Result result = cli.run("nodes", "-o", "json");

    ListNodesResponse.Builder parsed = ListNodesResponse.newBuilder();
    JsonFormat.parser().merge(result.out(), parsed);
    assertThat(parsed.build()).isEqualTo(NODES);
    assertThat(result.out()).contains("\"state\": \"NODE_STATE_READY\"");
  }

  @Test
  void historyAsksForTheRecentSamplesAndJsonShowsThem() throws Exception {
    ListNodesResponse withHistory =
        NODES.toBuilder()
            .setNodes(
                0,
                NODES.getNodes(0).toBuilder()
                    .setGpus(
                        0,
                        NODES.getNodes(0).getGpus(0).toBuilder()
                            .addHistory(
                                DeviceSample.newBuilder()
                                    .setTime(TestEvents.at(-3))
                                    .setStatus(status(0, 40, 11)))))
            .build();
    cli.scheduler.nodes = withHistory;

    CliHarness.Result result = cli.run("nodes", "--history", "-o", "json");

    assertThat(cli.scheduler.nodeRequests.get(0).getIncludeHistory()).isTrue();
    ListNodesResponse.Builder parsed = ListNodesResponse.newBuilder();
    JsonFormat.parser().merge(result.out(), parsed);
    assertThat(parsed.build()).isEqualTo(withHistory);
  }
}
