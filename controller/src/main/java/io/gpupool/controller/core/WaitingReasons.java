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
    if (!request.node().isEmpty()) {
      what += " on node '" + request.node() + "'";
    }
    int registered = 0;
    int ready = 0;
    int largestMatching = 0;
    int largestMatchingReady = 0;
    for (NodeSnapshot node : nodes) {
      if (!request.admits(node)) {
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
          + (request.nodeSelector().isEmpty() && request.node().isEmpty()
              ? ": no nodes have registered"
              : ": no such node has registered");
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
      if (request.admits(node)) {
        for (DeviceSnapshot device : node.devices()) {
          anyBigEnough |= device.healthy() && request.accepts(device);
        }
      }
    }
    return anyBigEnough
        ? "waiting for " + what + ": no GPU has that much memory unpromised"
        : "no GPU has " + what + " in total; waiting for a node that does";
  }

  /**
   * Explains why a task pinned to exact GPUs cannot have them now, naming the first GPU that is
   * missing, quarantined or in use (e.g. "GPU 3 on node-a is in use").
   */
  static String explainPinned(ResourceRequest request, Iterable<NodeSnapshot> nodes) {
    NodeSnapshot node = null;
    for (NodeSnapshot candidate : nodes) {
      if (request.namesNode(candidate) && (node == null || (!node.ready() && candidate.ready()))) {
        node = candidate;
      }
    }
    if (node == null) {
      return "waiting for node '" + request.node() + "': no such node has registered";
    }
    if (!node.matches(request.nodeSelector())) {
      return "node "
          + node.name()
          + " lacks the labels of the node selector; it can never run here";
    }
    if (!node.ready()) {
      return "waiting for node " + node.name() + ": not ready (connected and not cordoned)";
    }
    for (int index : request.deviceIndices()) {
      DeviceSnapshot device = null;
      for (DeviceSnapshot d : node.devices()) {
        if (d.index() == index) {
          device = d;
        }
      }
      String gpu = "GPU " + index + " on " + node.name();
      if (device == null) {
        return "node " + node.name() + " has no GPU " + index + "; waiting for a node that does";
      }
      if (!request.accepts(device)) {
        return gpu + " (" + device.model() + ") does not match the model or memory asked for";
      }
      if (!device.healthy() && !request.mayUseQuarantined()) {
        return "waiting for " + gpu + ": it is quarantined (only a diagnostic may run on it)";
      }
      if (!device.isIdle()) {
        return "waiting for " + gpu + ": it is in use";
      }
    }
    return "waiting for GPU "
        + request.deviceIndices().stream().map(String::valueOf).collect(Collectors.joining(","))
        + " on "
        + node.name()
        + ": given to another task in this pass";
  }
}
