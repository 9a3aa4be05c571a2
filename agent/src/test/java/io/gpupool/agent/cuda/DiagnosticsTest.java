package io.gpupool.agent.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpupool.agent.device.GpuDevice;
import io.gpupool.proto.v1.DeviceDiagnostic;
import io.gpupool.proto.v1.DiagnosticCheck;
import io.gpupool.proto.v1.DiagnosticReport;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class DiagnosticsTest {

  private final FakeCudaDriver driver =
      new FakeCudaDriver(
          List.of(new CudaDeviceProperties(0, "Fake", "0000:3b:00.0", 9, 0, 2, 64L << 20)));
  private final GpuDevice device =
      new GpuDevice(0, "GPU-0", "Fake", 64L << 20, false, "", 0, "00000000:3B:00.0", "9.0", 0);

  /** Small enough for the fake: 2 MiB copied, 100 FMA iterations, 2 repeats. */
  private Diagnostics diagnostics() {
    return new Diagnostics(driver, 2L << 20, 100, 2);
  }

  @Test
  void aHealthyDevicePassesBothChecksWithTheirRates() {
    DiagnosticReport report = diagnostics().run(List.of(device), List.of());

    DeviceDiagnostic result = report.getDevices(0);
    assertThat(result.getPassed()).isTrue();
    assertThat(result.getDeviceUuid()).isEqualTo("GPU-0");
    // 2 * 2 MiB * 2 repeats in 2.5 ms
    assertThat(result.getMemoryBandwidthGbps())
        .isCloseTo(2.0 * (2 << 20) * 2 / 2.5e-3 / 1e9, within());
    // 2 SMs * 16 blocks * 256 threads * 100 iterations * 8 chains * 2 repeats * 2 flops in 2.5 ms
    assertThat(result.getFmaGflops())
        .isCloseTo(2.0 * 2 * 16 * 256 * 100 * 8 * 2 / 2.5e-3 / 1e9, within());
    assertThat(driver.live).as("everything freed, context destroyed").isEmpty();
  }

  @Test
  void onlyTheChosenChecksRun() {
    DeviceDiagnostic result =
        diagnostics()
            .run(List.of(device), List.of(DiagnosticCheck.DIAGNOSTIC_CHECK_FMA_THROUGHPUT))
            .getDevices(0);

    assertThat(result.hasFmaGflops()).isTrue();
    assertThat(result.hasMemoryBandwidthGbps()).isFalse();
    assertThat(result.getPassed()).isTrue();
  }

  @Test
  void wrongResultsFailTheDevice() {
    driver.computeWrongResults();

    DeviceDiagnostic result = diagnostics().run(List.of(device), List.of()).getDevices(0);

    assertThat(result.getPassed()).isFalse();
    assertThat(result.getMessage())
        .startsWith("memory bandwidth: the copy differs from the source");
  }

  @Test
  void aCudaErrorFailsTheDeviceWithItsName() {
    driver.failOn("createContext", "CUDA_ERROR_ECC_UNCORRECTABLE");

    DeviceDiagnostic result = diagnostics().run(List.of(device), List.of()).getDevices(0);

    assertThat(result.getPassed()).isFalse();
    assertThat(result.getMessage()).contains("CUDA_ERROR_ECC_UNCORRECTABLE");
  }

  @Test
  void theReportReadsAsOneLinePerDevice() {
    DiagnosticReport report =
        DiagnosticReport.newBuilder()
            .addDevices(
                DeviceDiagnostic.newBuilder()
                    .setDeviceIndex(0)
                    .setDeviceUuid("GPU-a")
                    .setPassed(true)
                    .setMemoryBandwidthGbps(2934.14)
                    .setFmaGflops(51234.0))
            .addDevices(
                DeviceDiagnostic.newBuilder()
                    .setDeviceIndex(1)
                    .setDeviceUuid("GPU-b")
                    .setMessage("FMA throughput: wrong"))
            .build();

    assertThat(DiagnosticReportText.format(report))
        .isEqualTo(
            "GPU 0 GPU-a: passed, memory bandwidth 2934.1 GB/s, FMA 51234.0 GFLOP/s\n"
                + "GPU 1 GPU-b: FAILED: FMA throughput: wrong\n");
  }

  private static org.assertj.core.data.Offset<Double> within() {
    return org.assertj.core.data.Offset.offset(1e-6);
  }
}
