package io.gpupool.agent.cuda;

import io.gpupool.agent.device.GpuDevice;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cross-checks NVML's inventory with CUDA's: adds what only CUDA knows (the SM count, and the
 * compute capability where NVML had none) and reports where the two disagree on compute capability
 * or memory, or CUDA does not see a device at all.
 *
 * <p>Stateless and thread-safe; call it on a thread that may block in the driver for a moment.
 */
public final class CudaInventory {

  /** Memory totals may differ by what the driver reserves; more than this is a mismatch. */
  static final double MEMORY_TOLERANCE = 0.01;

  private static final Logger log = LoggerFactory.getLogger(CudaInventory.class);

  private CudaInventory() {}

  /**
   * The outcome of a cross-check.
   *
   * @param devices the devices in the order given, each with CUDA's properties added where CUDA
   *     sees it and unchanged otherwise
   * @param mismatches one sentence per disagreement; empty when NVML and CUDA agree
   */
  public record CrossCheck(List<GpuDevice> devices, List<String> mismatches) {

    /** Copies the lists. */
    public CrossCheck {
      devices = List.copyOf(devices);
      mismatches = List.copyOf(mismatches);
    }
  }

  /**
   * Cross-checks the devices; each mismatch is also logged as a warning.
   *
   * @param driver an initialized driver
   * @param devices the backend's devices (from NVML)
   * @throws CudaException when the driver cannot list its devices
   */
  public static CrossCheck crossCheck(CudaDriver driver, List<GpuDevice> devices)
      throws CudaException {
    List<CudaDeviceProperties> cudaDevices = CudaDevices.list(driver);
    List<GpuDevice> enriched = new ArrayList<>();
    List<String> mismatches = new ArrayList<>();
    for (GpuDevice device : devices) {
      CudaDeviceProperties cuda = match(device, cudaDevices);
      if (cuda == null) {
        mismatches.add(
            "GPU "
                + device.index()
                + " ("
                + device.pciBusId()
                + ") is not visible to CUDA: CUDA kernels cannot run on it");
        enriched.add(device);
        continue;
      }
      if (!device.computeCapability().isEmpty()
          && !device.computeCapability().equals(cuda.computeCapability())) {
        mismatches.add(
            "GPU "
                + device.index()
                + ": NVML says compute capability "
                + device.computeCapability()
                + ", CUDA says "
                + cuda.computeCapability());
      }
      double difference =
          Math.abs(device.memoryTotalBytes() - cuda.totalMemoryBytes())
              / (double) device.memoryTotalBytes();
      if (difference > MEMORY_TOLERANCE) {
        mismatches.add(
            "GPU "
                + device.index()
                + ": NVML says "
                + device.memoryTotalBytes()
                + " bytes of memory, CUDA says "
                + cuda.totalMemoryBytes());
      }
      enriched.add(
          new GpuDevice(
              device.index(),
              device.uuid(),
              device.model(),
              device.memoryTotalBytes(),
              device.simulated(),
              device.interconnectGroup(),
              device.powerLimitWatts(),
              device.pciBusId(),
              device.computeCapability().isEmpty()
                  ? cuda.computeCapability()
                  : device.computeCapability(),
              cuda.multiprocessorCount()));
    }
    mismatches.forEach(m -> log.warn("NVML and CUDA disagree: {}", m));
    return new CrossCheck(enriched, mismatches);
  }

  private static CudaDeviceProperties match(GpuDevice device, List<CudaDeviceProperties> cuda) {
    if (PciBusIds.normalize(device.pciBusId()).isEmpty()) {
      return cuda.size() == 1 ? cuda.get(0) : null;
    }
    return cuda.stream()
        .filter(c -> PciBusIds.same(c.pciBusId(), device.pciBusId()))
        .findFirst()
        .orElse(null);
  }
}
