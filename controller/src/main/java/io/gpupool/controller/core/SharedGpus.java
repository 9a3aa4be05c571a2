package io.gpupool.controller.core;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Fractional GPUs during one pass: which devices host memory shares and how much of their memory is
 * promised. A share goes to the shared device it fits tightest (so whole devices stay whole), else
 * to a free device, which then stops being free for whole-GPU tasks. Memory is never
 * over-committed.
 *
 * <p>Not thread-safe; lives for one pass.
 */
final class SharedGpus {
  /** Node id → device index → bytes promised, for devices that host shares. */
  private final Map<String, TreeMap<Integer, Long>> promised = new TreeMap<>();

  private final Map<String, NodeSnapshot> nodes = new HashMap<>();

  SharedGpus(List<NodeSnapshot> snapshot) {
    for (NodeSnapshot node : snapshot) {
      nodes.put(node.id(), node);
      if (!node.ready()) {
        continue;
      }
      for (DeviceSnapshot device : node.devices()) {
        if (device.isShareable() && device.sharedBytes() > 0) {
          promised
              .computeIfAbsent(node.id(), n -> new TreeMap<>())
              .put(device.index(), device.sharedBytes());
        }
      }
    }
  }

  /**
   * Places a share, or returns null when no device has that much memory free.
   *
   * @param reserved devices of a node that a new share must not take whole (a reservation's)
   */
  Placement place(
      PendingTask task,
      FreeCapacity capacity,
      boolean tightestFirst,
      Function<String, Set<Integer>> reserved) {
    ResourceRequest request = task.request();
    long share = request.gpuMemoryShareBytes();
    String bestNode = null;
    int bestIndex = -1;
    long bestLeft = Long.MAX_VALUE;
    for (var node : promised.entrySet()) {
      NodeSnapshot snapshot = nodes.get(node.getKey());
      if (!request.admits(snapshot)) {
        continue;
      }
      for (var device : node.getValue().entrySet()) {
        if (request.isPinned() && !request.deviceIndices().contains(device.getKey())) {
          continue;
        }
        DeviceSnapshot d = capacity.device(node.getKey(), device.getKey());
        long left = d.memoryBytes() - device.getValue() - share;
        if (request.accepts(d) && left >= 0 && left < bestLeft) {
          bestLeft = left;
          bestNode = node.getKey();
          bestIndex = device.getKey();
        }
      }
    }
    if (bestNode == null) {
      Iterable<String> candidates =
          request.node().isEmpty()
              ? capacity.candidates(1, tightestFirst)
              : capacity.named(request.node());
      for (String nodeId : candidates) {
        if (!request.admits(nodes.get(nodeId))) {
          continue;
        }
        List<Integer> device = capacity.pick(nodeId, request, reserved.apply(nodeId));
        if (device != null) {
          capacity.take(nodeId, device);
          bestNode = nodeId;
          bestIndex = device.get(0);
          break;
        }
      }
    }
    if (bestNode == null) {
      return null;
    }
    promised.computeIfAbsent(bestNode, n -> new TreeMap<>()).merge(bestIndex, share, Long::sum);
    return new Placement(task.id(), bestNode, new ArrayList<>(List.of(bestIndex)));
  }
}
