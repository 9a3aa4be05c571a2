package io.gpupool.agent.workload;

import io.gpupool.agent.device.DeviceBackend;
import io.gpupool.agent.device.DeviceBackendException;
import io.gpupool.agent.device.GpuDevice;
import io.gpupool.agent.device.GpuProcessUsage;
import io.gpupool.agent.device.GpuSample;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Two real-looking GPUs (16 GiB each) whose compute processes a test sets. */
final class FakeDeviceBackend implements DeviceBackend {

  final List<Integer> diagnosticsPassed = new CopyOnWriteArrayList<>();
  volatile List<GpuProcessUsage> processes = List.of();
  volatile boolean failing;

  @Override
  public List<GpuDevice> devices() {
    return List.of(device(0, "00000000:3B:00.0"), device(1, "00000000:AF:00.0"));
  }

  private static GpuDevice device(int index, String busId) {
    return new GpuDevice(index, "GPU-" + index, "Fake", 16L << 30, false, "", 0, busId, "9.0", 0);
  }

  @Override
  public List<GpuSample> sample() {
    return List.of();
  }

  @Override
  public String description() {
    return "fake";
  }

  @Override
  public boolean isSimulated() {
    return false;
  }

  @Override
  public List<GpuProcessUsage> computeProcesses(int index) throws DeviceBackendException {
    if (failing) {
      throw new DeviceBackendException("NVML failed");
    }
    return processes;
  }

  @Override
  public void diagnosticPassed(int index) {
    diagnosticsPassed.add(index);
  }
}
