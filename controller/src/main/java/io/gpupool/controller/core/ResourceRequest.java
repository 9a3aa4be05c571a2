package io.gpupool.controller.core;

import java.util.Locale;
import java.util.Map;

/**
 * What a task needs on one node.
 *
 * @param gpus number of whole GPUs, at least 1
 * @param gpuModel case-insensitive substring the device model must contain; empty matches any
 * @param minGpuMemoryBytes each assigned GPU must have at least this much memory; 0 for any
 * @param nodeSelector labels the node must carry, all of them
 * @param gpuMemoryShareBytes when positive, the task needs only this much memory of one GPU and may
 *     share the device with other such tasks (fractional GPU); {@code gpus} is then 1
 */
public record ResourceRequest(
    int gpus,
    String gpuModel,
    long minGpuMemoryBytes,
    Map<String, String> nodeSelector,
    long gpuMemoryShareBytes) {
  public ResourceRequest {
    if (gpus < 1) {
      throw new IllegalArgumentException("gpus must be at least 1, got " + gpus);
    }
    gpuModel = gpuModel == null ? "" : gpuModel;
    nodeSelector = Map.copyOf(nodeSelector);
    if (gpuMemoryShareBytes < 0) {
      throw new IllegalArgumentException("a GPU memory share must not be negative");
    }
    if (gpuMemoryShareBytes > 0 && gpus != 1) {
      throw new IllegalArgumentException("a GPU memory share is a share of exactly one GPU");
    }
  }

  /** Whole GPUs with constraints. */
  public ResourceRequest(
      int gpus, String gpuModel, long minGpuMemoryBytes, Map<String, String> nodeSelector) {
    this(gpus, gpuModel, minGpuMemoryBytes, nodeSelector, 0);
  }

  /** True for a fractional request: a memory share of one GPU. */
  public boolean isShare() {
    return gpuMemoryShareBytes > 0;
  }

  /** Whole GPUs of any model. */
  public static ResourceRequest gpus(int gpus) {
    return new ResourceRequest(gpus, "", 0, Map.of());
  }

  /** Whole GPUs of a model. */
  public static ResourceRequest gpus(int gpus, String gpuModel) {
    return new ResourceRequest(gpus, gpuModel, 0, Map.of());
  }

  /** True when a device of this model satisfies the model constraint. */
  public boolean acceptsModel(String model) {
    return gpuModel.isEmpty()
        || model.toLowerCase(Locale.ROOT).contains(gpuModel.toLowerCase(Locale.ROOT));
  }

  /** True when a device's model and memory satisfy the request. */
  public boolean accepts(DeviceSnapshot device) {
    return acceptsModel(device.model())
        && device.memoryBytes() >= Math.max(minGpuMemoryBytes, gpuMemoryShareBytes);
  }
}
