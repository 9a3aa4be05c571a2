package io.gpupool.agent.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpupool.agent.device.GpuDevice;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class CudaInventoryTest {

  /** CUDA numbers the faster device first; NVML by bus. */
  private final FakeCudaDriver driver =
      new FakeCudaDriver(
          List.of(
              new CudaDeviceProperties(0, "H100", "0000:af:00.0", 9, 0, 132, 80L << 30),
              new CudaDeviceProperties(1, "T4", "0000:3b:00.0", 7, 5, 40, 16L << 30)));

  private static GpuDevice nvml(int index, String busId, String cc, long memory) {
    return new GpuDevice(index, "GPU-" + index, "model", memory, false, "", 0, busId, cc, 0);
  }

  @Test
  void devicesAreMatchedByPciBusIdNotByIndex() throws Exception {
    GpuDevice t4 = nvml(0, "00000000:3B:00.0", "7.5", 16L << 30);
    GpuDevice h100 = nvml(1, "00000000:AF:00.0", "9.0", 80L << 30);

    assertThat(CudaDevices.find(driver, t4).ordinal()).isEqualTo(1);
    assertThat(CudaDevices.find(driver, h100).ordinal()).isEqualTo(0);
  }

  @Test
  void crossCheckAddsTheSmCountAndReportsNoMismatchWhenTheyAgree() throws Exception {
    CudaInventory.CrossCheck check =
        CudaInventory.crossCheck(
            driver,
            List.of(
                nvml(0, "00000000:3B:00.0", "7.5", 16L << 30),
                nvml(1, "00000000:AF:00.0", "", 80L << 30)));

    assertThat(check.mismatches()).isEmpty();
    assertThat(check.devices().get(0).multiprocessorCount()).isEqualTo(40);
    assertThat(check.devices().get(1).multiprocessorCount()).isEqualTo(132);
    assertThat(check.devices().get(1).computeCapability()).as("filled from CUDA").isEqualTo("9.0");
  }

  @Test
  void crossCheckReportsComputeCapabilityMemoryAndMissingDevices() throws Exception {
    CudaInventory.CrossCheck check =
        CudaInventory.crossCheck(
            driver,
            List.of(
                nvml(0, "00000000:3B:00.0", "8.0", 16L << 30),
                nvml(1, "00000000:AF:00.0", "9.0", 40L << 30),
                nvml(2, "00000000:D8:00.0", "9.0", 80L << 30)));

    assertThat(check.mismatches())
        .containsExactly(
            "GPU 0: NVML says compute capability 8.0, CUDA says 7.5",
            "GPU 1: NVML says 42949672960 bytes of memory, CUDA says 85899345920",
            "GPU 2 (00000000:D8:00.0) is not visible to CUDA: CUDA kernels cannot run on it");
    assertThat(check.devices().get(2).multiprocessorCount()).isZero();
  }

  @Test
  void aDeviceCudaDoesNotSeeIsAnInvalidDevice() {
    assertThatThrownBy(() -> CudaDevices.find(driver, nvml(2, "00000000:D8:00.0", "", 1)))
        .isInstanceOfSatisfying(
            CudaException.class,
            e -> assertThat(e.errorName()).isEqualTo("CUDA_ERROR_INVALID_DEVICE"));
  }
}
