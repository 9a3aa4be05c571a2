package io.gpupool.agent.cuda;

import io.gpupool.agent.device.DeviceBackendException;

/**
 * Where the runners get the CUDA driver from, when the first CUDA task needs it: agents that never
 * run CUDA work never load it.
 *
 * <p>Implementations are thread-safe.
 */
@FunctionalInterface
public interface CudaDriverSource {

  /**
   * The driver, initialized.
   *
   * @throws DeviceBackendException when this node has no usable CUDA driver; the message says why
   */
  CudaDriver driver() throws DeviceBackendException;

  /** The real driver through JCuda, loaded on first use ({@link JCudaDriverAdapter#load()}). */
  static CudaDriverSource jcuda() {
    return JCudaDriverAdapter::load;
  }

  /** Always this driver (tests). */
  static CudaDriverSource of(CudaDriver driver) {
    return () -> driver;
  }

  /** No CUDA on this node, e.g. simulated devices; {@code why} becomes the failure's message. */
  static CudaDriverSource unavailable(String why) {
    return () -> {
      throw new DeviceBackendException(why);
    };
  }
}
