package io.gpupool.controller.core;

import java.util.List;

/**
 * A node as the core sees it.
 *
 * @param id node id
 * @param name node name, for reasons shown to users
 * @param ready true when the node is connected and may receive work
 * @param devices its GPUs, by index
 */
public record NodeSnapshot(String id, String name, boolean ready, List<DeviceSnapshot> devices) {
  public NodeSnapshot {
    devices = List.copyOf(devices);
  }
}
