package io.gpupool.agent.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class DeviceBackendsTest {

  @TempDir Path empty;
  @TempDir Path driverDir;

  @Test
  void simulateSpecSelectsSimulatedBackend() throws DeviceBackendException {
    DeviceBackend backend =
        DeviceBackends.select(
            Optional.of(SimulateSpec.parse("4xH100-80GB")),
            null,
            new NvmlLocator(List.of(empty)),
            "node-1");

    assertThat(backend.isSimulated()).isTrue();
    assertThat(backend.devices()).hasSize(4);
  }

  @Test
  void noDriverAndNoSpecIsRefusedWithAHintInsteadOfSimulating() {
    assertThatThrownBy(
            () ->
                DeviceBackends.select(
                    Optional.empty(), null, new NvmlLocator(List.of(empty)), "node-1"))
        .isInstanceOf(DeviceBackendException.class)
        .hasMessageStartingWith("no NVIDIA driver found (libnvidia-ml.so.1 not in " + empty)
        .hasMessageContaining("--simulate 8xA100-80GB");
  }

  @Test
  void explicitLibraryThatDoesNotExistIsRefused() {
    Path missing = empty.resolve("libnvidia-ml.so.1");

    assertThatThrownBy(
            () ->
                DeviceBackends.select(
                    Optional.empty(), missing, new NvmlLocator(List.of(driverDir)), "node-1"))
        .hasMessageContaining("no NVIDIA driver found")
        .hasMessageContaining(missing.toString())
        .hasMessageContaining("--simulate");
  }

  @Test
  void foundDriverSelectsTheNvmlBackend() throws Exception {
    FakeNvml.twoH100s(driverDir);

    try (DeviceBackend backend =
        DeviceBackends.select(
            Optional.empty(), null, new NvmlLocator(List.of(empty, driverDir)), "n")) {
      assertThat(backend).isInstanceOf(NvmlBackend.class);
      assertThat(backend.isSimulated()).isFalse();
      assertThat(backend.devices()).hasSize(2);
    }
  }

  @Test
  void explicitLibraryDirectoryIsUsedBeforeTheSearch() throws Exception {
    FakeNvml.twoH100s(driverDir);

    try (DeviceBackend backend =
        DeviceBackends.select(Optional.empty(), driverDir, new NvmlLocator(List.of(empty)), "n")) {
      assertThat(backend.driverVersion()).isEqualTo("550.54.15");
    }
  }

  @Test
  void aFileThatIsNotNvmlIsRefusedWithTheLinkersError() throws IOException {
    Path library = Files.createFile(driverDir.resolve(NvmlLocator.LIBRARY));

    assertThatThrownBy(
            () ->
                DeviceBackends.select(
                    Optional.empty(), null, new NvmlLocator(List.of(empty, driverDir)), "n"))
        .isInstanceOf(DeviceBackendException.class)
        .hasMessageContaining("cannot initialize NVML from " + library)
        .hasMessageContaining("--nvml-library");
  }

  @Test
  void locatorSearchesSystemDirsThenLdLibraryPath() throws IOException {
    NvmlLocator locator = NvmlLocator.systemDefault(empty + ":" + driverDir + "::");

    assertThat(locator.searchDirs())
        .startsWith(Path.of("/usr/lib/x86_64-linux-gnu"), Path.of("/usr/lib64"))
        .contains(Path.of("/usr/local/nvidia/lib64"))
        .endsWith(empty, driverDir);
    Path library = Files.createFile(driverDir.resolve(NvmlLocator.LIBRARY));
    assertThat(new NvmlLocator(List.of(empty, driverDir)).find()).contains(library);
  }
}
