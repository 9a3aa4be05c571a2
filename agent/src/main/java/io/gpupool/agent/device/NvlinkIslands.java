package io.gpupool.agent.device;

import io.gpupool.agent.device.nvml.NvmlPciInfo;
import java.util.ArrayList;
import java.util.List;

/**
 * Groups a node's GPUs into NVLink islands from what each one's links reach: GPUs linked to each
 * other, directly or through other GPUs, form one island named after its lowest index ("nvlink-0");
 * GPUs whose links reach something that is not a local GPU sit on an NVSwitch and form the one
 * island "nvswitch" (with every GPU linked to them); GPUs without NVLink get "".
 *
 * <p>Stateless and thread-safe.
 */
final class NvlinkIslands {

  /** The island of devices linked through NVSwitch. */
  static final String NVSWITCH = "nvswitch";

  private NvlinkIslands() {}

  /**
   * Computes the islands.
   *
   * @param devices where each GPU sits on the PCI bus, by index (null when unknown)
   * @param remotes what each GPU's active links reach, by index (empty without NVLink)
   * @return the island of each GPU, by index
   */
  static List<String> of(List<NvmlPciInfo> devices, List<List<NvmlPciInfo>> remotes) {
    int n = devices.size();
    int[] parent = new int[n];
    boolean[] switched = new boolean[n];
    for (int i = 0; i < n; i++) {
      parent[i] = i;
    }
    for (int i = 0; i < n; i++) {
      for (NvmlPciInfo remote : remotes.get(i)) {
        int peer = indexOf(devices, remote);
        if (peer < 0) {
          switched[i] = true;
        } else {
          union(parent, i, peer);
        }
      }
    }
    boolean[] switchedRoot = new boolean[n];
    int[] size = new int[n];
    for (int i = 0; i < n; i++) {
      size[find(parent, i)]++;
      if (switched[i]) {
        switchedRoot[find(parent, i)] = true;
      }
    }
    List<String> islands = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int root = find(parent, i);
      if (switchedRoot[root]) {
        islands.add(NVSWITCH);
      } else if (size[root] == 1) {
        islands.add("");
      } else {
        islands.add("nvlink-" + root);
      }
    }
    return islands;
  }

  private static int indexOf(List<NvmlPciInfo> devices, NvmlPciInfo remote) {
    for (int i = 0; i < devices.size(); i++) {
      if (devices.get(i) != null && devices.get(i).sameSlot(remote)) {
        return i;
      }
    }
    return -1;
  }

  /** Joins two sets, keeping the lower index as the root so that island names are stable. */
  private static void union(int[] parent, int a, int b) {
    int ra = find(parent, a);
    int rb = find(parent, b);
    parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }

  private static int find(int[] parent, int i) {
    while (parent[i] != i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  }
}
