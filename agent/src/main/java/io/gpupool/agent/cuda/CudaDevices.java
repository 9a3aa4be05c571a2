package io.gpupool.agent.cuda;

import io.gpupool.agent.device.GpuDevice;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the CUDA device of an NVML device. CUDA numbers devices fastest first by default, NVML by
 * PCI bus id, so indices and ordinals differ on mixed machines: the PCI bus id is what both agree
 * on.
 */
public final class CudaDevices {

  private CudaDevices() {}

  /** The properties of every device CUDA sees, by ordinal. */
  public static List<CudaDeviceProperties> list(CudaDriver driver) throws CudaException {
    int count = driver.deviceCount();
    List<CudaDeviceProperties> devices = new ArrayList<>(count);
    for (int ordinal = 0; ordinal < count; ordinal++) {
      devices.add(driver.properties(ordinal));
    }
    return devices;
  }

  /**
   * The CUDA device with the NVML device's PCI bus id. A device whose bus id NVML does not know is
   * taken to be CUDA's only device when there is exactly one.
   *
   * @throws CudaException CUDA_ERROR_INVALID_DEVICE when CUDA does not see the device (hidden by
   *     CUDA_VISIBLE_DEVICES in the agent's environment, or the bus id is unknown on a node with
   *     several GPUs), or the driver's error
   */
  public static CudaDeviceProperties find(CudaDriver driver, GpuDevice device)
      throws CudaException {
    List<CudaDeviceProperties> all = list(driver);
    if (PciBusIds.normalize(device.pciBusId()).isEmpty()) {
      if (all.size() == 1) {
        return all.get(0);
      }
      throw new CudaException(
          "CUDA_ERROR_INVALID_DEVICE",
          "GPU "
              + device.index()
              + " has no known PCI bus id, so its CUDA device cannot be told apart from the "
              + all.size()
              + " others");
    }
    for (CudaDeviceProperties candidate : all) {
      if (PciBusIds.same(candidate.pciBusId(), device.pciBusId())) {
        return candidate;
      }
    }
    throw new CudaException(
        "CUDA_ERROR_INVALID_DEVICE",
        "CUDA sees no device with GPU "
            + device.index()
            + "'s PCI bus id "
            + device.pciBusId()
            + " (is it hidden by CUDA_VISIBLE_DEVICES in the agent's environment?)");
  }
}
