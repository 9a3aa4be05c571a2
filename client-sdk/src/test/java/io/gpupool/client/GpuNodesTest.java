package io.gpupool.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

import io.gpupool.proto.v1.ClearGpuQuarantineResponse;
import io.gpupool.proto.v1.DeviceInfo;
import io.gpupool.proto.v1.DeviceSample;
import io.gpupool.proto.v1.DeviceStatus;
import io.gpupool.proto.v1.ListNodesResponse;
import io.grpc.Status;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** GPU telemetry, health, quarantine and history in the node view; clearing a quarantine. */
@Timeout(60)
class GpuNodesTest {
  private static final DeviceStatus FULL_SAMPLE =
      DeviceStatus.newBuilder()
          .setIndex(0)
          .setUtilizationPercent(88)
          .setMemoryUtilizationPercent(40)
          .setMemoryUsedBytes(20L << 30)
          .setPowerWatts(350.5)
          .setPowerLimitWatts(700)
          .setTemperatureCelsius(66)
          .setEccCorrectedVolatile(3)
          .setEccUncorrectedVolatile(1)
          .setNvlinkActiveLinks(18)
          .addProcesses(
              io.gpupool.proto.v1.GpuProcess.newBuilder()
                  .setPid(4242)
                  .setUsedMemoryBytes(1L << 30)
                  .setTaskId("t-3"))
          .addProcesses(io.gpupool.proto.v1.GpuProcess.newBuilder().setPid(77))
          .setHealthy(false)
          .setHealthReason("XID 48 (double-bit ECC error)")
          .build();

  private static final io.gpupool.proto.v1.Node NODE =
      io.gpupool.proto.v1.Node.newBuilder()
          .setId("n-1")
          .setName("gpu-box-1")
          .setState(io.gpupool.proto.v1.NodeState.NODE_STATE_READY)
          .setAgentVersion("0.1.0")
          .setDriverVersion("550.54.15")
          .setCudaDriverVersion("12.4")
          .addGpus(
              io.gpupool.proto.v1.Gpu.newBuilder()
                  .setInfo(
                      DeviceInfo.newBuilder()
                          .setIndex(0)
                          .setUuid("GPU-a")
                          .setModel("NVIDIA H100 80GB HBM3")
                          .setMemoryTotalBytes(80L << 30)
                          .setPciBusId("00000000:3B:00.0")
                          .setComputeCapability("9.0"))
                  .setStatus(FULL_SAMPLE)
                  .setQuarantine(
                      io.gpupool.proto.v1.GpuQuarantine.newBuilder()
                          .setReason("XID 48 (double-bit ECC error)")
                          .setSince(Protos.time(3)))
                  .addHistory(
                      DeviceSample.newBuilder()
                          .setTime(Protos.time(1))
                          .setStatus(DeviceStatus.newBuilder().setIndex(0).setHealthy(true))))
          .build();

  private InProcessController controller;
  private FakeScheduler fake;
  private GpuPoolClient client;

  @BeforeEach
  void start() throws Exception {
    controller = new InProcessController();
    fake = controller.scheduler;
    client = controller.clientBuilder().build();
    fake.onListNodes = request -> ListNodesResponse.newBuilder().addNodes(NODE).build();
  }

  @AfterEach
  void stop() {
    client.close();
    controller.close();
  }

  @Test
  void everyTelemetryFieldHealthQuarantineAndDriverVersionIsMapped() {
    Node node = client.listNodes().get(0);

    assertThat(node.driverVersion()).isEqualTo("550.54.15");
    assertThat(node.cudaDriverVersion()).isEqualTo("12.4");
    Gpu gpu = node.gpus().get(0);
    assertThat(gpu.pciBusId()).isEqualTo("00000000:3B:00.0");
    assertThat(gpu.computeCapability()).isEqualTo("9.0");
    assertThat(gpu.status())
        .contains(
            new GpuStatus(
                OptionalDouble.of(88),
                OptionalDouble.of(40),
                OptionalLong.of(20L << 30),
                OptionalDouble.of(350.5),
                OptionalDouble.of(700),
                OptionalDouble.of(66),
                OptionalLong.of(3),
                OptionalLong.of(1),
                OptionalInt.of(18),
                List.of(
                    new GpuProcess(4242, OptionalLong.of(1L << 30), Optional.of("t-3")),
                    new GpuProcess(77, OptionalLong.empty(), Optional.empty())),
                false,
                "XID 48 (double-bit ECC error)"));
    assertThat(gpu.quarantine())
        .contains(
            new GpuQuarantine(
                "XID 48 (double-bit ECC error)", Instant.parse("2026-11-02T10:00:03Z")));
    assertThat(gpu.usable()).isFalse();
  }

  @Test
  void measurementsTheDriverDoesNotSupportAreEmptyNotZero() {
    fake.onListNodes =
        request ->
            ListNodesResponse.newBuilder()
                .addNodes(
                    NODE.toBuilder()
                        .setGpus(
                            0,
                            NODE.getGpus(0).toBuilder()
                                .clearQuarantine()
                                .setStatus(DeviceStatus.newBuilder().setIndex(0).setHealthy(true))))
                .build();

    Gpu gpu = client.listNodes().get(0).gpus().get(0);

    GpuStatus status = gpu.status().orElseThrow();
    assertThat(status.utilizationPercent()).isEmpty();
    assertThat(status.memoryUsedBytes()).isEmpty();
    assertThat(status.powerWatts()).isEmpty();
    assertThat(status.powerLimitWatts()).isEmpty();
    assertThat(status.temperatureCelsius()).isEmpty();
    assertThat(status.nvlinkActiveLinks()).isEmpty();
    assertThat(status.healthReason()).isEmpty();
    assertThat(gpu.quarantine()).isEmpty();
    assertThat(gpu.usable()).isTrue();
  }

  @Test
  void historyIsAskedForOnlyByListNodesWithHistory() {
    client.listNodes();
    List<Node> withHistory = client.listNodesWithHistory();

    assertThat(fake.nodeLists.get(0).getIncludeHistory()).isFalse();
    assertThat(fake.nodeLists.get(1).getIncludeHistory()).isTrue();
    List<GpuSample> history = withHistory.get(0).gpus().get(0).history();
    assertThat(history).hasSize(1);
    assertThat(history.get(0).time()).isEqualTo(Instant.parse("2026-11-02T10:00:01Z"));
    assertThat(history.get(0).status().healthy()).isTrue();
  }

  @Test
  void clearGpuQuarantineSendsNodeAndIndexAndReturnsTheNode() {
    fake.onClearQuarantine =
        request ->
            ClearGpuQuarantineResponse.newBuilder()
                .setNode(
                    NODE.toBuilder()
                        .setGpus(0, NODE.getGpus(0).toBuilder().clearQuarantine().build()))
                .build();

    Node node = client.clearGpuQuarantine("gpu-box-1", 0);

    assertThat(fake.quarantineClears).hasSize(1);
    assertThat(fake.quarantineClears.get(0).getNode()).isEqualTo("gpu-box-1");
    assertThat(fake.quarantineClears.get(0).getDeviceIndex()).isZero();
    assertThat(node.gpus().get(0).quarantine()).isEmpty();
  }

  @Test
  void clearGpuQuarantineMapsNotFoundAndFailedPreconditionWithoutRetrying() {
    fake.failures.add(Status.NOT_FOUND.withDescription("node gpu-box-9 not found"));
    fake.failures.add(Status.FAILED_PRECONDITION.withDescription("gpu 0 is not quarantined"));

    assertThatThrownBy(() -> client.clearGpuQuarantine("gpu-box-9", 0))
        .asInstanceOf(type(GpuPoolException.class))
        .satisfies(
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
              assertThat(e.getMessage()).isEqualTo("node gpu-box-9 not found");
            });
    assertThatThrownBy(() -> client.clearGpuQuarantine("gpu-box-1", 0))
        .asInstanceOf(type(GpuPoolException.class))
        .satisfies(
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.FAILED_PRECONDITION);
              assertThat(e.getMessage()).isEqualTo("gpu 0 is not quarantined");
            });
    assertThat(fake.quarantineClears).hasSize(2);
  }

  @Test
  void clearGpuQuarantineRejectsABlankNodeAndANegativeIndexWithoutACall() {
    assertThatThrownBy(() -> client.clearGpuQuarantine(" ", 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("node must not be blank");
    assertThatThrownBy(() -> client.clearGpuQuarantine("n-1", -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("deviceIndex must not be negative, got -1");
    assertThat(fake.quarantineClears).isEmpty();
  }
}
