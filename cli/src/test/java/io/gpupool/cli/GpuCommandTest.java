package io.gpupool.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.JsonFormat;
import io.gpupool.proto.v1.DeviceInfo;
import io.gpupool.proto.v1.DeviceStatus;
import io.gpupool.proto.v1.Gpu;
import io.gpupool.proto.v1.Node;
import io.grpc.Status;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class GpuCommandTest {
  private static final Node CLEARED =
      Node.newBuilder()
          .setName("node-a")
          .addGpus(gpu(0))
          .addGpus(
              gpu(1)
                  .setStatus(
                      DeviceStatus.newBuilder()
                          .setIndex(1)
                          .setUtilizationPercent(0)
                          .setMemoryUsedBytes(0)
                          .setPowerWatts(61)
                          .setPowerLimitWatts(700)
                          .setTemperatureCelsius(33)
                          .setHealthy(true)))
          .build();

  private CliHarness cli;

  @BeforeEach
  void startFakeController() throws Exception {
    cli = new CliHarness();
    cli.scheduler.clearedNode = CLEARED;
  }

  @AfterEach
  void stopFakeController() {
    cli.close();
  }

  private static Gpu.Builder gpu(int index) {
    return Gpu.newBuilder()
        .setInfo(
            DeviceInfo.newBuilder()
                .setIndex(index)
                .setModel("NVIDIA H100 80GB HBM3")
                .setMemoryTotalBytes(80L << 30));
  }

  @Test
  void clearQuarantineSendsNodeAndIndexAndPrintsTheGpuAfter() {
    CliHarness.Result result = cli.run("gpu", "clear-quarantine", "node-a", "1");

    assertThat(result.exitCode()).isZero();
    assertThat(cli.scheduler.quarantineClears).hasSize(1);
    assertThat(cli.scheduler.quarantineClears.get(0).getNode()).isEqualTo("node-a");
    assertThat(cli.scheduler.quarantineClears.get(0).getDeviceIndex()).isEqualTo(1);
    assertThat(result.outLines())
        .containsExactly(
            "node-a gpu 1: quarantine cleared",
            "  gpu 1  NVIDIA H100 80GB HBM3  0.0/80.0 GiB  0%  61/700 W  33 C  free  ok");
  }

  @Test
  void clearQuarantineJsonPrintsTheNode() throws Exception {
    CliHarness.Result result = cli.run("gpu", "clear-quarantine", "node-a", "1", "-o", "json");

    Node.Builder parsed = Node.newBuilder();
    JsonFormat.parser().merge(result.out(), parsed);
    assertThat(parsed.build()).isEqualTo(CLEARED);
  }

  @Test
  void anUnknownNodeOrGpuIsReportedAsNotFound() {
    cli.scheduler.clearQuarantineFailure =
        Status.NOT_FOUND.withDescription("node node-z has no GPU 7");

    CliHarness.Result result = cli.run("gpu", "clear-quarantine", "node-z", "7");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err().strip()).isEqualTo("error: NOT_FOUND: node node-z has no GPU 7");
    assertThat(result.out()).isEmpty();
  }

  @Test
  void aGpuThatIsNotQuarantinedIsReportedAsFailedPrecondition() {
    cli.scheduler.clearQuarantineFailure =
        Status.FAILED_PRECONDITION.withDescription("GPU 0 of node-a is not quarantined");

    CliHarness.Result result = cli.run("gpu", "clear-quarantine", "node-a", "0");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err().strip())
        .isEqualTo("error: FAILED_PRECONDITION: GPU 0 of node-a is not quarantined");
  }

  @Test
  void aMissingOrNonNumericIndexIsAUsageError() {
    CliHarness.Result missing = cli.run("gpu", "clear-quarantine", "node-a");
    CliHarness.Result bad = cli.run("gpu", "clear-quarantine", "node-a", "one");
    CliHarness.Result bare = cli.run("gpu");

    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.err()).contains("INDEX");
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err()).contains("'one'");
    assertThat(bare.exitCode()).isEqualTo(2);
    assertThat(bare.err()).contains("clear-quarantine");
    assertThat(cli.scheduler.quarantineClears).isEmpty();
  }
}
