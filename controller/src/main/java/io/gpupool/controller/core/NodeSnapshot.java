package io.gpupool.controller.core;

import java.util.List;
import java.util.Map;

/**
 * A node as the core sees it.
 *
 * @param id node id
 * @param name node name, for reasons shown to users
 * @param ready true when the node is connected and may receive work
 * @param labels the node's labels, matched against node selectors
 * @param successRate share of recent tasks on this node that did not fail, in [0,1] (1 when new)
 * @param devices its GPUs, by index
 */
public record NodeSnapshot(
    String id,
    String name,
    boolean ready,
    Map<String, String> labels,
    double successRate,
    List<DeviceSnapshot> devices) {
  public NodeSnapshot {
    labels = Map.copyOf(labels);
    devices = List.copyOf(devices);
  }

  /** A node with no failures on record. */
  public NodeSnapshot(
      String id,
      String name,
      boolean ready,
      Map<String, String> labels,
      List<DeviceSnapshot> devices) {
    this(id, name, ready, labels, 1.0, devices);
  }

  /** A node without labels and with no failures on record. */
  public NodeSnapshot(String id, String name, boolean ready, List<DeviceSnapshot> devices) {
    this(id, name, ready, Map.of(), 1.0, devices);
  }

  /** True when the node carries every label of the selector. */
  public boolean matches(Map<String, String> selector) {
    for (Map.Entry<String, String> wanted : selector.entrySet()) {
      if (!wanted.getValue().equals(labels.get(wanted.getKey()))) {
        return false;
      }
    }
    return true;
  }
}
