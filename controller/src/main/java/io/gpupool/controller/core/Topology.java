package io.gpupool.controller.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which of a node's eligible GPUs a multi-GPU task gets: all inside one NVLink/NVSwitch island when
 * one can hold it (the tightest such island, so larger islands stay whole), else the lowest
 * indices. Devices without a known island count as one island.
 */
final class Topology {
  private Topology() {}

  /**
   * @param eligible free devices that satisfy the request, ascending by index
   * @param count how many the task needs
   * @return {@code count} device indices, or null when there are fewer eligible devices
   */
  static List<Integer> choose(List<DeviceSnapshot> eligible, int count) {
    if (eligible.size() < count) {
      return null;
    }
    Map<String, List<Integer>> byIsland = new TreeMap<>();
    for (DeviceSnapshot device : eligible) {
      byIsland
          .computeIfAbsent(device.interconnectGroup(), g -> new ArrayList<>())
          .add(device.index());
    }
    List<Integer> tightest = null;
    for (List<Integer> island : byIsland.values()) {
      if (island.size() >= count && (tightest == null || island.size() < tightest.size())) {
        tightest = island;
      }
    }
    if (tightest != null) {
      return new ArrayList<>(tightest.subList(0, count));
    }
    List<Integer> lowest = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      lowest.add(eligible.get(i).index());
    }
    return lowest;
  }
}
