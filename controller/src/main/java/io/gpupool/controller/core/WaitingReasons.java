package io.gpupool.controller.core;

import java.util.TreeMap;
import java.util.stream.Collectors;

/** Words for why a task could not be placed: the "does not fit is data" part of the core. */
final class WaitingReasons {

  private WaitingReasons() {}

  /**
   * Explains why {@code request} fits on no node now. Distinguishes a task that waits for busy GPUs
   * from one that no registered node could ever hold, so users know whether to wait.
   */
  static String explain(ResourceRequest request, Iterable<NodeSnapshot> nodes) {
    String what = request.gpus() + " GPU" + (request.gpus() == 1 ? "" : "s");
    if (!request.gpuModel().isEmpty()) {
      what += " of model '" + request.gpuModel() + "'";
    }
    if (request.minGpuMemoryBytes() > 0) {
      what += " with at least " + (request.minGpuMemoryBytes() >> 30) + " GiB";
    }
    if (!request.nodeSelector().isEmpty()) {
      what +=
          " on nodes with "
              + new TreeMap<>(request.nodeSelector())
                  .entrySet().stream()
                      .map(e -> e.getKey() + "=" + e.getValue())
                      .collect(Collectors.joining(","));
    }
    int registered = 0;
    int ready = 0;
    int largestMatching = 0;
    int largestMatchingReady = 0;
    for (NodeSnapshot node : nodes) {
      if (!node.matches(request.nodeSelector())) {
        continue;
      }
      registered++;
      int matching = 0;
      for (DeviceSnapshot device : node.devices()) {
        if (device.healthy() && request.accepts(device)) {
          matching++;
        }
      }
      largestMatching = Math.max(largestMatching, matching);
      if (node.ready()) {
        ready++;
        largestMatchingReady = Math.max(largestMatchingReady, matching);
      }
    }
    if (registered == 0) {
      return "waiting for "
          + what
          + (request.nodeSelector().isEmpty()
              ? ": no nodes have registered"
              : ": no node with those labels has registered");
    }
    if (ready == 0) {
      return "waiting for " + what + ": no node is ready (connected and not cordoned)";
    }
    if (largestMatchingReady >= request.gpus()) {
      return "waiting for " + what + " to become free";
    }
    if (largestMatching >= request.gpus()) {
      return "waiting for " + what + ": only nodes that are not ready have that many";
    }
    return "no node has "
        + what
        + " (the largest has "
        + largestMatching
        + "); waiting for a node that does";
  }

  /** Explains why a memory share of one GPU fits nowhere now. */
  static String explainShare(ResourceRequest request, Iterable<NodeSnapshot> nodes) {
    String what = (request.gpuMemoryShareBytes() >> 20) + " MiB on one GPU";
    boolean anyBigEnough = false;
    for (NodeSnapshot node : nodes) {
      if (node.matches(request.nodeSelector())) {
        for (DeviceSnapshot device : node.devices()) {
          anyBigEnough |= device.healthy() && request.accepts(device);
        }
      }
    }
    return anyBigEnough
        ? "waiting for " + what + ": no GPU has that much memory unpromised"
        : "no GPU has " + what + " in total; waiting for a node that does";
  }
}
