package io.gpupool.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.JsonFormat;
import io.gpupool.proto.v1.DeviceInfo;
import io.gpupool.proto.v1.DeviceStatus;
import io.gpupool.proto.v1.Gpu;
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
                  .setLastHeartbeatTime(TestEvents.at(-2))
                  .addGpus(gpu(0, "NVIDIA H100 80GB HBM3", 80).setStatus(status(0, 45, 12)))
                  .addGpus(
                      gpu(1, "NVIDIA H100 80GB HBM3", 80)
                          .setStatus(status(1, 100, 70).setHealthy(false))
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
        .setTemperatureCelsius(61.6)
        .setHealthy(true);
  }

  @Test
  void printsNodesWithTheirGpusIndentedBeneath() {
    CliHarness.Result result = cli.run("nodes");

    assertThat(result.exitCode()).isZero();
    assertThat(result.outLines())
        .containsExactly(
            "NODE    STATE         GPUS(free/total)  MODEL                  HEARTBEAT",
            "node-a  READY         1/2               NVIDIA H100 80GB HBM3  2s ago",
            "  gpu 0  NVIDIA H100 80GB HBM3  12.0/80.0 GiB  45%   301 W  62 C  healthy    free",
            "  gpu 1  NVIDIA H100 80GB HBM3  70.0/80.0 GiB  100%  301 W  62 C  UNHEALTHY  task t-12",
            "node-b  DISCONNECTED  1/1               SIM A100               never",
            "  gpu 0  SIM A100               -/40.0 GiB     -%    - W    - C   -          free");
  }

  @Test
  void jsonPrintsTheListNodesResponse() throws Exception {
    CliHarness.Result result = cli.run("nodes", "-o", "json");

    ListNodesResponse.Builder parsed = ListNodesResponse.newBuilder();
    JsonFormat.parser().merge(result.out(), parsed);
    assertThat(parsed.build()).isEqualTo(NODES);
    assertThat(result.out()).contains("\"state\": \"NODE_STATE_READY\"");
  }
}
