package io.gpupool.controller.core;

import java.util.Locale;

/**
 * What a task needs on one node.
 *
 * @param gpus number of whole GPUs, at least 1
 * @param gpuModel case-insensitive substring the device model must contain; empty matches any
 */
public record ResourceRequest(int gpus, String gpuModel) {
  public ResourceRequest {
    if (gpus < 1) {
      throw new IllegalArgumentException("gpus must be at least 1, got " + gpus);
    }
    gpuModel = gpuModel == null ? "" : gpuModel;
  }

  /** True when a device of this model satisfies the model constraint. */
  public boolean acceptsModel(String model) {
    return gpuModel.isEmpty()
        || model.toLowerCase(Locale.ROOT).contains(gpuModel.toLowerCase(Locale.ROOT));
  }
}
