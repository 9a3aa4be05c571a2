package io.gpupool.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.JsonFormat;
import io.gpupool.cli.client.Terminal;
import io.gpupool.proto.v1.DeviceInfo;
import io.gpupool.proto.v1.DeviceStatus;
import io.gpupool.proto.v1.Gpu;
import io.gpupool.proto.v1.GpuQuarantine;
import io.gpupool.proto.v1.ListNodesResponse;
import io.gpupool.proto.v1.Node;
import io.gpupool.proto.v1.NodeState;
import io.gpupool.proto.v1.Task;
import io.gpupool.proto.v1.TaskState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code gpupool top} without a terminal: one snapshot; and {@code -o json}. */
@Timeout(60)
class TopCommandTest {
  private static final long GIB = 1L << 30;

  private static final ListNodesResponse NODES =
      ListNodesResponse.newBuilder()
          .addNodes(
              Node.newBuilder()
                  .setId("n-1")
                  .setName("node-a")
                  .setState(NodeState.NODE_STATE_READY)
                  .addGpus(gpu(0, "NVIDIA H100", 80).setStatus(status(45, 12, 301.4, 61.6)))
                  .addGpus(
                      gpu(1, "NVIDIA H100", 80)
                          .setStatus(status(100, 70, 650, 80.2))
                          .setTaskId("t-12")))
          .addNodes(
              Node.newBuilder()
                  .setId("n-2")
                  .setName("node-b")
                  .setState(NodeState.NODE_STATE_DISCONNECTED)
                  .setCordoned(true)
                  .addGpus(
                      gpu(0, "SIM A100", 40)
                          .setQuarantine(GpuQuarantine.newBuilder().setReason("XID 79"))))
          .build();

  private CliHarness cli;

  @BeforeEach
  void startFakeController() throws Exception {
    cli = new CliHarness();
    cli.scheduler.nodes = NODES;
    cli.scheduler.listing.add(task("t-20", TaskState.TASK_STATE_PENDING));
    cli.scheduler.listing.add(task("t-12", TaskState.TASK_STATE_RUNNING));
    cli.scheduler.listing.add(task("t-21", TaskState.TASK_STATE_PENDING));
    cli.scheduler.listing.add(task("t-22", TaskState.TASK_STATE_PENDING));
  }

  @AfterEach
  void stopFakeController() throws Exception {
    cli.close();
  }

  @Test
  void withoutATerminalPrintsOneSnapshotWithTotalsAndOneRowPerGpu() {
    CliHarness.Result result = cli.run("top");

    assertThat(result.exitCode()).isZero();
    assertThat(result.err()).isEmpty();
    assertThat(result.out()).doesNotContain("\033");
    assertThat(result.outLines())
        .containsExactly(
            "nodes 2 (1 ready)  GPUs 1/3 busy  util 73%  memory 82.0/200.0 GiB  power 951 W"
                + "  queue 3",
            "",
            "NODE                              GPU  MODEL        UTIL               MEMORY"
                + "         POWER  TEMP  HEALTH               TASK",
            "node-a                            0    NVIDIA H100  [####......] 45%   12.0/80.0 GiB"
                + "  301 W  62 C  ok                   -",
            "node-a                            1    NVIDIA H100  [##########] 100%  70.0/80.0 GiB"
                + "  650 W  80 C  ok                   t-12",
            "node-b (disconnected) (cordoned)  0    SIM A100     -                  -/40.0 GiB"
                + "     -      -     QUARANTINED: XID 79  -");
  }

  @Test
  void queueLengthCountsPendingTasksAcrossPages() {
    cli.scheduler.maxTasksPageSize = 1;

    CliHarness.Result result = cli.run("top");

    assertThat(result.outLines().get(0)).endsWith("queue 3");
  }

  @Test
  void withoutATerminalLinesAreNotCutToAnyWidth() {
    cli.terminal = new Terminal(false, 40);

    CliHarness.Result result = cli.run("top");

    assertThat(result.outLines().get(0)).hasSizeGreaterThan(40).endsWith("queue 3");
  }

  @Test
  void jsonPrintsTheListNodesResponseOnce() throws Exception {
    cli.terminal = new Terminal(true, 80);

    CliHarness.Result result = cli.run("top", "-o", "json");

    assertThat(result.exitCode()).isZero();
    ListNodesResponse.Builder parsed = ListNodesResponse.newBuilder();
    JsonFormat.parser().merge(result.out(), parsed);
    assertThat(parsed.build()).isEqualTo(NODES);
    assertThat(cli.scheduler.nodeRequests).hasSize(1);
  }

  @Test
  void aZeroIntervalIsAUsageError() {
    CliHarness.Result result = cli.run("top", "--interval", "0s");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("--interval").contains("zero");
  }

  private static Task task(String id, TaskState state) {
    return Task.newBuilder().setId(id).setState(state).build();
  }

  private static Gpu.Builder gpu(int index, String model, long memoryGib) {
    return Gpu.newBuilder()
        .setInfo(
            DeviceInfo.newBuilder()
                .setIndex(index)
                .setModel(model)
                .setMemoryTotalBytes(memoryGib * GIB));
  }

  private static DeviceStatus.Builder status(
      double util, long memoryUsedGib, double watts, double celsius) {
    return DeviceStatus.newBuilder()
        .setUtilizationPercent(util)
        .setMemoryUsedBytes(memoryUsedGib * GIB)
        .setPowerWatts(watts)
        .setTemperatureCelsius(celsius)
        .setHealthy(true);
  }
}
