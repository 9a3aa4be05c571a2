package io.gpupool.agent.workload;

import io.gpupool.agent.device.GpuDevice;
import io.gpupool.proto.v1.TaskResult;
import java.util.List;
import java.util.Optional;

/** Checks of the device indices a task was given. */
final class DeviceIndices {

  private DeviceIndices() {}

  /** A failed result (CUDA_ERROR_INVALID_DEVICE) naming the first index the node does not have. */
  static Optional<TaskResult> unknown(List<Integer> indices, List<GpuDevice> devices) {
    for (int index : indices) {
      if (index < 0 || index >= devices.size()) {
        return Optional.of(
            CudaResults.failed(
                "CUDA_ERROR_INVALID_DEVICE",
                "device index "
                    + index
                    + " does not exist on this node (it has "
                    + devices.size()
                    + " devices)"));
      }
    }
    return Optional.empty();
  }
}
