package io.gpupool.agent;

import io.gpupool.agent.cuda.CudaDriverSource;
import io.gpupool.agent.cuda.CudaException;
import io.gpupool.agent.cuda.CudaInventory;
import io.gpupool.agent.device.DeviceBackend;
import io.gpupool.agent.device.DeviceBackendException;
import io.gpupool.agent.device.GpuDevice;
import io.gpupool.agent.device.GpuProcessUsage;
import io.gpupool.agent.device.GpuSample;
import java.util.Collection;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real backend whose inventory was cross-checked with CUDA, so that what only CUDA knows (the SM
 * count) is registered with the devices; everything else is the wrapped backend's.
 *
 * <p>Thread-safe as the wrapped backend is.
 */
final class CrossCheckedBackend implements DeviceBackend {
  private static final Logger log = LoggerFactory.getLogger(CrossCheckedBackend.class);

  private final DeviceBackend backend;
  private final List<GpuDevice> devices;

  private CrossCheckedBackend(DeviceBackend backend, List<GpuDevice> devices) {
    this.backend = backend;
    this.devices = List.copyOf(devices);
  }

  /**
   * Cross-checks a real backend's devices with CUDA. Without a usable CUDA driver the backend is
   * returned as it is (CUDA tasks then fail with the driver's reason), and so is a simulated one.
   */
  static DeviceBackend of(DeviceBackend backend, CudaDriverSource cuda) {
    if (backend.isSimulated()) {
      return backend;
    }
    try {
      CudaInventory.CrossCheck check = CudaInventory.crossCheck(cuda.driver(), backend.devices());
      return new CrossCheckedBackend(backend, check.devices());
    } catch (DeviceBackendException | CudaException e) {
      log.warn(
          "CUDA is not usable on this node, cuda_kernel and diagnostic tasks will fail: {}",
          e.getMessage());
      return backend;
    }
  }

  @Override
  public List<GpuDevice> devices() {
    return devices;
  }

  @Override
  public List<GpuSample> sample() {
    return backend.sample();
  }

  @Override
  public String description() {
    return backend.description();
  }

  @Override
  public boolean isSimulated() {
    return backend.isSimulated();
  }

  @Override
  public void workStarted(Collection<Integer> indices) {
    backend.workStarted(indices);
  }

  @Override
  public void workEnded(Collection<Integer> indices) {
    backend.workEnded(indices);
  }

  @Override
  public List<GpuProcessUsage> computeProcesses(int index) throws DeviceBackendException {
    return backend.computeProcesses(index);
  }

  @Override
  public void diagnosticPassed(int index) {
    backend.diagnosticPassed(index);
  }

  @Override
  public String driverVersion() {
    return backend.driverVersion();
  }

  @Override
  public String cudaDriverVersion() {
    return backend.cudaDriverVersion();
  }

  @Override
  public void close() {
    backend.close();
  }
}
