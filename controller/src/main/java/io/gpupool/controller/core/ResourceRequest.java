package io.gpupool.controller.core;

import java.util.List;
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
 * @param node the only node (id or name) the task may run on; empty for any node
 * @param deviceIndices the exact GPUs the task must get on {@code node} (as many as {@code gpus});
 *     empty to let the scheduler choose
 * @param diagnostic true for a diagnostic workload: pinned to quarantined GPUs, it may still use
 *     them (it is how a quarantine ends)
 */
public record ResourceRequest(
    int gpus,
    String gpuModel,
    long minGpuMemoryBytes,
    Map<String, String> nodeSelector,
    long gpuMemoryShareBytes,
    String node,
    List<Integer> deviceIndices,
    boolean diagnostic) {
  public ResourceRequest {
    if (gpus < 1) {
      throw new IllegalArgumentException("gpus must be at least 1, got " + gpus);
    }
    gpuModel = gpuModel == null ? "" : gpuModel;
    nodeSelector = Map.copyOf(nodeSelector);
    node = node == null ? "" : node;
    deviceIndices = List.copyOf(deviceIndices);
    if (gpuMemoryShareBytes < 0) {
      throw new IllegalArgumentException("a GPU memory share must not be negative");
    }
    if (gpuMemoryShareBytes > 0 && gpus != 1) {
      throw new IllegalArgumentException("a GPU memory share is a share of exactly one GPU");
    }
    if (!deviceIndices.isEmpty() && (node.isEmpty() || deviceIndices.size() != gpus)) {
      throw new IllegalArgumentException(
          "pinned GPUs need a node and exactly one index per GPU, got "
              + deviceIndices
              + " on '"
              + node
              + "' for "
              + gpus);
    }
  }

  /** Any GPUs on any node, possibly a share of one. */
  public ResourceRequest(
      int gpus,
      String gpuModel,
      long minGpuMemoryBytes,
      Map<String, String> nodeSelector,
      long gpuMemoryShareBytes) {
    this(
        gpus, gpuModel, minGpuMemoryBytes, nodeSelector, gpuMemoryShareBytes, "", List.of(), false);
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

  /** True when the request names the exact GPUs it must get. */
  public boolean isPinned() {
    return !deviceIndices.isEmpty();
  }

  /** True when a pinned request may use a quarantined device: a diagnostic aimed at it. */
  public boolean mayUseQuarantined() {
    return diagnostic && isPinned() && !isShare();
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

  /** True when a device's model and memory satisfy the request (health and use aside). */
  public boolean accepts(DeviceSnapshot device) {
    return acceptsModel(device.model())
        && device.memoryBytes() >= Math.max(minGpuMemoryBytes, gpuMemoryShareBytes);
  }

  /** True when the request allows this node: its labels, and its id or name when one is named. */
  public boolean admits(NodeSnapshot candidate) {
    return candidate.matches(nodeSelector) && namesNode(candidate);
  }

  /** True when no node is named or {@code candidate} is it (by id or name). */
  public boolean namesNode(NodeSnapshot candidate) {
    return node.isEmpty() || node.equals(candidate.id()) || node.equals(candidate.name());
  }
}
