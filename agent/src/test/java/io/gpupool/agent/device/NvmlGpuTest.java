package io.gpupool.agent.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The NVML backend on the machine's real NVIDIA driver and GPUs; skipped where there are none. Run
 * with {@code mvn -pl agent verify -Dgroups=gpu -DexcludedGroups=none}.
 */
@Tag("gpu")
@Timeout(120)
class NvmlGpuTest {

  private static Optional<Path> realLibrary() {
    String explicit = System.getenv("GPUPOOL_NVML_LIBRARY");
    if (explicit != null && !explicit.isBlank()) {
      return Optional.of(Path.of(explicit)).filter(Files::isRegularFile);
    }
    return NvmlLocator.systemDefault(System.getenv("LD_LIBRARY_PATH")).find();
  }

  @Test
  void realGpusReportSaneInventoryAndSamples() throws Exception {
    Optional<Path> library = realLibrary();
    assumeTrue(library.isPresent(), "no libnvidia-ml.so.1 on this machine");
    NvmlBackend backend;
    try {
      backend = NvmlBackend.open(library.get());
    } catch (DeviceBackendException e) {
      assumeTrue(false, "NVML does not initialize here: " + e.getMessage());
      return;
    }
    try (backend) {
      assumeTrue(!backend.devices().isEmpty(), "NVML sees no GPU");
      assertThat(backend.driverVersion()).matches("\\d+\\.\\d+(\\.\\d+)?");
      assertThat(backend.cudaDriverVersion()).matches("\\d+\\.\\d+");
      for (GpuDevice device : backend.devices()) {
        assertThat(device.uuid()).startsWith("GPU-");
        assertThat(device.model()).isNotBlank();
        assertThat(device.memoryTotalBytes()).isGreaterThan(1L << 30);
        assertThat(device.pciBusId()).matches("[0-9A-Fa-f]{8}:[0-9A-Fa-f]{2}:[0-9A-Fa-f]{2}\\.\\d");
        assertThat(device.computeCapability()).matches("\\d+\\.\\d+");
      }
      List<GpuSample> samples = backend.sample();
      assertThat(samples).hasSameSizeAs(backend.devices());
      for (GpuSample sample : samples) {
        GpuDevice device = backend.devices().get(sample.index());
        assertThat(sample.memoryUsedBytes()).isBetween(0L, device.memoryTotalBytes());
        assertThat(sample.utilizationPercent()).isBetween(0.0, 100.0);
        if (GpuSample.known(sample.temperatureCelsius())) {
          assertThat(sample.temperatureCelsius()).isBetween(5.0, 110.0);
        }
        if (GpuSample.known(sample.powerWatts())) {
          assertThat(sample.powerWatts()).isBetween(1.0, 2000.0);
        }
        assertThat(sample.healthy()).as(sample.healthReason()).isTrue();
        assertThat(backend.computeProcesses(sample.index())).isNotNull();
      }
      System.out.println(backend.description());
      samples.forEach(System.out::println);
    }
  }
}
