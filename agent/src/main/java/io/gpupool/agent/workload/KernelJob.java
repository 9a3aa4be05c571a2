package io.gpupool.agent.workload;

import io.gpupool.agent.cuda.CudaDevices;
import io.gpupool.agent.cuda.CudaDriver;
import io.gpupool.agent.cuda.CudaException;
import io.gpupool.agent.cuda.KernelLauncher;
import io.gpupool.agent.cuda.KernelLimits;
import io.gpupool.agent.device.GpuDevice;
import io.gpupool.proto.v1.CudaKernelWorkload;
import io.gpupool.proto.v1.KernelResult;
import io.gpupool.proto.v1.TaskResult;
import java.util.List;
import java.util.Optional;

/**
 * A {@code cuda_kernel} workload on its one assigned device: the device's CUDA ordinal found by its
 * PCI bus id, then {@link KernelLauncher}. Any CUDA error fails the task with the error's name as
 * the reason code.
 */
final class KernelJob implements CudaJob {

  private final CudaKernelWorkload kernel;
  private final List<Integer> deviceIndices;
  private final List<GpuDevice> devices;

  /**
   * @param devices the node's devices, by index
   */
  KernelJob(CudaKernelWorkload kernel, List<Integer> deviceIndices, List<GpuDevice> devices) {
    this.kernel = kernel;
    this.deviceIndices = List.copyOf(deviceIndices);
    this.devices = devices;
  }

  @Override
  public Optional<TaskResult> reject() {
    if (deviceIndices.size() != 1) {
      return Optional.of(
          CudaResults.failed(
              "CUDA_ERROR_INVALID_DEVICE",
              "a cuda_kernel task runs on exactly one GPU; it was given " + deviceIndices.size()));
    }
    Optional<TaskResult> unknown = DeviceIndices.unknown(deviceIndices, devices);
    if (unknown.isPresent()) {
      return unknown;
    }
    List<String> problems = KernelLimits.check(kernel);
    if (!problems.isEmpty()) {
      return Optional.of(
          CudaResults.failed(
              "CUDA_ERROR_INVALID_VALUE",
              "the kernel breaks the agent's limits: " + String.join("; ", problems)));
    }
    return Optional.empty();
  }

  @Override
  public TaskResult run(CudaDriver driver) {
    GpuDevice device = devices.get(deviceIndices.get(0));
    try {
      int ordinal = CudaDevices.find(driver, device).ordinal();
      KernelResult result = new KernelLauncher(driver).run(kernel, ordinal);
      return TaskResult.newBuilder()
          .setExitCode(0)
          .setKernel(result.toBuilder().setDeviceUuid(device.uuid()))
          .build();
    } catch (CudaException e) {
      return CudaResults.failed(e);
    }
  }
}
