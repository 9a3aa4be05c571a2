package io.gpupool.agent.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** NvmlBackend through the real JNA binding, against the fake libnvidia-ml.so.1 built from C. */
@Timeout(60)
class NvmlBackendTest {

  private static final Duration EVENT_WAIT = Duration.ofMillis(50);

  @TempDir Path dir;

  private final List<NvmlBackend> opened = new ArrayList<>();

  @AfterEach
  void closeBackends() {
    opened.forEach(NvmlBackend::close);
  }

  private NvmlBackend open(FakeNvml fake) throws DeviceBackendException {
    NvmlBackend backend = NvmlBackend.open(fake.library(), EVENT_WAIT);
    opened.add(backend);
    return backend;
  }

  @Test
  void inventoryCarriesIdentityMemoryPciComputeCapabilityPowerLimitAndIsland() throws Exception {
    NvmlBackend backend = open(FakeNvml.twoH100s(dir));

    assertThat(backend.devices()).hasSize(2);
    GpuDevice first = backend.devices().get(0);
    assertThat(first.index()).isZero();
    assertThat(first.uuid()).isEqualTo("GPU-00000000-fake-fake-fake-000000000000");
    assertThat(first.model()).isEqualTo("NVIDIA H100 80GB HBM3");
    assertThat(first.memoryTotalBytes()).isEqualTo(85_899_345_920L);
    assertThat(first.simulated()).isFalse();
    assertThat(first.pciBusId()).isEqualTo("00000000:3B:00.0");
    assertThat(first.computeCapability()).isEqualTo("9.0");
    assertThat(first.powerLimitWatts()).isEqualTo(700.0);
    assertThat(first.multiprocessorCount()).isZero();
    assertThat(backend.devices()).extracting(GpuDevice::interconnectGroup).containsOnly("nvlink-0");
    assertThat(backend.isSimulated()).isFalse();
    assertThat(backend.description())
        .isEqualTo("NVIDIA driver 550.54.15: 2x NVIDIA H100 80GB HBM3");
  }

  @Test
  void driverAndCudaDriverVersionsComeFromNvml() throws Exception {
    NvmlBackend backend = open(FakeNvml.twoH100s(dir));

    assertThat(backend.driverVersion()).isEqualTo("550.54.15");
    assertThat(backend.cudaDriverVersion()).isEqualTo("12.4");
  }

  @Test
  void sampleCarriesTheDriversValuesInWireUnits() throws Exception {
    FakeNvml fake = FakeNvml.twoH100s(dir);
    fake.set("dev1.processes", "4242:536870912");
    NvmlBackend backend = open(fake);

    List<GpuSample> samples = backend.sample();

    GpuSample second = samples.get(1);
    assertThat(second.index()).isEqualTo(1);
    assertThat(second.memoryUsedBytes()).isEqualTo(2_147_483_648L);
    assertThat(second.utilizationPercent()).isEqualTo(41.0);
    assertThat(second.memoryUtilizationPercent()).isEqualTo(21.0);
    assertThat(second.powerWatts()).isEqualTo(251.5);
    assertThat(second.powerLimitWatts()).isEqualTo(700.0);
    assertThat(second.temperatureCelsius()).isEqualTo(46.0);
    assertThat(second.eccCorrectedVolatile()).isEqualTo(3);
    assertThat(second.eccUncorrectedVolatile()).isZero();
    assertThat(second.nvlinkActiveLinks()).isEqualTo(2);
    assertThat(second.processes()).containsExactly(new GpuProcessUsage(4242, 536_870_912L));
    assertThat(samples).allMatch(GpuSample::healthy);
  }

  @Test
  void changesOfTheDriversValuesShowInTheNextSample() throws Exception {
    FakeNvml fake = FakeNvml.twoH100s(dir);
    NvmlBackend backend = open(fake);

    fake.set("dev0.util_gpu", 99).set("dev0.mem_used", 42);

    assertThat(backend.sample().get(0).utilizationPercent()).isEqualTo(99.0);
    assertThat(backend.sample().get(0).memoryUsedBytes()).isEqualTo(42);
  }

  @Test
  void measurementsTheDriverRefusesAreUnknownNotZero() throws Exception {
    FakeNvml fake = FakeNvml.twoH100s(dir);
    fake.remove("dev0.power_mw").remove("dev0.temp");
    fake.set("fail.nvmlDeviceGetTotalEccErrors", 4); // NVML_ERROR_NO_PERMISSION
    NvmlBackend backend = open(fake);

    GpuSample sample = backend.sample().get(0);

    assertThat(GpuSample.known(sample.powerWatts())).isFalse();
    assertThat(GpuSample.known(sample.temperatureCelsius())).isFalse();
    assertThat(GpuSample.known(sample.eccCorrectedVolatile())).isFalse();
    assertThat(GpuSample.known(sample.eccUncorrectedVolatile())).isFalse();
    assertThat(sample.utilizationPercent()).isEqualTo(40.0);
    assertThat(sample.healthy()).isTrue();
  }

  @Test
  void libraryWithoutTheOptionalFunctionsDegradesToUnknown() throws Exception {
    FakeNvml fake = FakeNvml.build(dir, true).configureTwoH100s();
    NvmlBackend backend = open(fake);

    GpuDevice device = backend.devices().get(0);
    GpuSample sample = backend.sample().get(0);

    assertThat(device.uuid()).startsWith("GPU-");
    assertThat(device.pciBusId()).isEqualTo("00000000:3B:00.0");
    assertThat(device.computeCapability()).isEmpty();
    assertThat(device.powerLimitWatts()).isZero();
    assertThat(device.interconnectGroup()).isEmpty();
    assertThat(backend.cudaDriverVersion()).isEmpty();
    assertThat(backend.driverVersion()).isEqualTo("550.54.15");
    assertThat(sample.memoryUsedBytes()).isEqualTo(1_073_741_824L);
    assertThat(GpuSample.known(sample.utilizationPercent())).isFalse();
    assertThat(GpuSample.known(sample.powerWatts())).isFalse();
    assertThat(GpuSample.known(sample.nvlinkActiveLinks())).isFalse();
    assertThat(GpuSample.known(sample.eccUncorrectedVolatile())).isFalse();
    assertThat(sample.processes()).isEmpty();
    assertThat(sample.healthy()).isTrue();
    assertThat(backend.computeProcesses(0)).isEmpty();
  }

  @Test
  void uncorrectedEccErrorsMakeTheDeviceUnhealthy() throws Exception {
    FakeNvml fake = FakeNvml.twoH100s(dir);
    NvmlBackend backend = open(fake);

    fake.set("dev1.ecc_uncorrected", 2);
    List<GpuSample> samples = backend.sample();

    assertThat(samples.get(0).healthy()).isTrue();
    assertThat(samples.get(1).healthy()).isFalse();
    assertThat(samples.get(1).healthReason()).isEqualTo("2 uncorrected ECC errors (volatile)");
  }

  @Test
  void criticalXidMakesTheDeviceUnhealthyUntilADiagnosticPasses() throws Exception {
    FakeNvml fake = FakeNvml.twoH100s(dir);
    NvmlBackend backend = open(fake);

    fake.set("event.1", "1,8,79"); // nvmlEventTypeXidCriticalError, XID 79

    await().until(() -> !backend.sample().get(1).healthy());
    assertThat(backend.sample().get(1).healthReason())
        .isEqualTo("XID 79 (GPU has fallen off the bus)");
    assertThat(backend.sample().get(0).healthy()).isTrue();

    backend.diagnosticPassed(1);
    assertThat(backend.sample().get(1).healthy()).isTrue();
  }

  @Test
  void applicationXidLeavesTheDeviceHealthyWhileDoubleBitEccDoesNot() throws Exception {
    FakeNvml fake = FakeNvml.twoH100s(dir);
    NvmlBackend backend = open(fake);

    fake.set("event.1", "0,8,13").set("event.2", "0,2,0"); // XID 13, then a double-bit ECC error

    await().until(() -> !backend.sample().get(0).healthy());
    assertThat(backend.sample().get(0).healthReason()).isEqualTo("double-bit ECC error");
  }

  @Test
  void eventsTheDriverCannotDeliverDoNotStopTheBackend() throws Exception {
    FakeNvml fake = FakeNvml.twoH100s(dir);
    fake.set("fail.nvmlDeviceRegisterEvents", 3); // NVML_ERROR_NOT_SUPPORTED
    NvmlBackend backend = open(fake);

    assertThat(backend.sample()).hasSize(2).allMatch(GpuSample::healthy);
  }

  @Test
  void lostGpuIsUnhealthyWithNvmlsReasonAndItsMeasurementsUnknown() throws Exception {
    FakeNvml fake = FakeNvml.twoH100s(dir);
    NvmlBackend backend = open(fake);

    fake.set("dev1.error", 15); // NVML_ERROR_GPU_IS_LOST
    List<GpuSample> samples = backend.sample();

    assertThat(samples.get(0).healthy()).isTrue();
    assertThat(samples.get(1).healthy()).isFalse();
    assertThat(samples.get(1).healthReason()).contains("GPU is lost");
    assertThat(GpuSample.known(samples.get(1).memoryUsedBytes())).isFalse();
    assertThatThrownBy(() -> backend.computeProcesses(1))
        .isInstanceOf(DeviceBackendException.class)
        .hasMessageContaining("GPU 1")
        .hasMessageContaining("GPU is lost");
  }

  @Test
  void computeProcessesListsEveryProcessWithItsMemory() throws Exception {
    FakeNvml fake = FakeNvml.twoH100s(dir);
    fake.set("dev0.processes", "100:1048576,200:-1,300:2097152");
    NvmlBackend backend = open(fake);

    assertThat(backend.computeProcesses(0))
        .containsExactly(
            new GpuProcessUsage(100, 1_048_576L),
            new GpuProcessUsage(200, -1),
            new GpuProcessUsage(300, 2_097_152L));
    assertThat(backend.computeProcesses(1)).isEmpty();
  }

  @Test
  void nvlinkIslandsSeparateDirectPairsNvswitchAndUnlinkedGpus() throws Exception {
    FakeNvml fake = FakeNvml.build(dir, false);
    fake.set("devices", 5);
    for (int i = 0; i < 5; i++) {
      fake.set("dev" + i + ".uuid", "GPU-" + i).set("dev" + i + ".name", "NVIDIA A100");
      fake.set("dev" + i + ".mem_total", 1L << 35).set("dev" + i + ".mem_used", 0);
      fake.set("dev" + i + ".bus_id", FakeNvml.busId(i));
    }
    fake.set("dev0.nvlinks", 2).set("dev0.nvlink.0", FakeNvml.busId(1));
    fake.set("dev1.nvlinks", 2).set("dev1.nvlink.1", FakeNvml.busId(0));
    fake.set("dev2.nvlinks", 2).set("dev2.nvlink.0", "00000000:AA:00.0"); // an NVSwitch
    fake.set("dev3.nvlinks", 2).set("dev3.nvlink.0", "00000000:AB:00.0");
    fake.set("dev4.nvlinks", 2); // links, none up
    NvmlBackend backend = open(fake);

    assertThat(backend.devices())
        .extracting(GpuDevice::interconnectGroup)
        .containsExactly("nvlink-0", "nvlink-0", "nvswitch", "nvswitch", "");
    assertThat(backend.sample())
        .extracting(GpuSample::nvlinkActiveLinks)
        .containsExactly(1, 1, 1, 1, 0);
  }

  @Test
  void initFailureIsRefusedWithNvmlsErrorAndAHint() throws Exception {
    FakeNvml fake = FakeNvml.twoH100s(dir);
    fake.set("fail.nvmlInit_v2", 9); // NVML_ERROR_DRIVER_NOT_LOADED

    assertThatThrownBy(() -> NvmlBackend.open(fake.library()))
        .isInstanceOf(DeviceBackendException.class)
        .hasMessageContaining(fake.library().toString())
        .hasMessageContaining("Driver Not Loaded")
        .hasMessageContaining("nvidia-smi")
        .hasMessageContaining("--nvml-library");
  }

  @Test
  void closeShutsNvmlDownSoLaterCallsFailInsteadOfCrashing() throws Exception {
    NvmlBackend backend = NvmlBackend.open(FakeNvml.twoH100s(dir).library(), EVENT_WAIT);

    backend.close();
    backend.close();

    assertThat(backend.sample().get(0).memoryUsedBytes()).isEqualTo(GpuSample.UNKNOWN);
  }
}
