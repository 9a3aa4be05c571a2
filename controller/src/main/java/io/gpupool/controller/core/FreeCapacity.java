package io.gpupool.controller.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.TreeSet;

/**
 * The free GPUs of ready nodes during one pass, indexed by how many each node has free, so finding
 * nodes for a task of k GPUs does not scan every node.
 *
 * <p>Built once per pass over every node, so it is kept flat: per node a sorted array of its
 * devices and a bit set of the free ones; per free count a bit set over the ready nodes in id
 * order. No boxed indices, no tree nodes.
 *
 * <p>Not thread-safe; lives for one pass.
 */
final class FreeCapacity {
  private final Map<String, NodeState> nodes;

  /** Ready node ids, ascending: a node's rank is its position here. */
  private final NodeState[] byRank;

  /** For each free count, the ranks of the ready nodes with exactly that many GPUs free. */
  private BitSet[] byFreeCount = new BitSet[0];

  FreeCapacity(List<NodeSnapshot> snapshot) {
    nodes = new HashMap<>(Math.max(16, snapshot.size() * 4 / 3 + 1));
    for (NodeSnapshot node : snapshot) {
      nodes.put(node.id(), new NodeState(node));
    }
    // In the snapshot's order (the last of duplicate ids counts): when that is already by id, as
    // it usually is, the sort below only checks it.
    List<NodeState> ready = new ArrayList<>(nodes.size());
    for (NodeSnapshot node : snapshot) {
      NodeState state = nodes.get(node.id());
      if (state.snapshot == node && state.free != null && state.rank < 0) {
        state.rank = ready.size();
        ready.add(state);
      }
    }
    byRank = ready.toArray(NodeState[]::new);
    Arrays.sort(byRank, (a, b) -> a.snapshot.id().compareTo(b.snapshot.id()));
    for (int rank = 0; rank < byRank.length; rank++) {
      byRank[rank].rank = rank;
      index(byRank[rank]);
    }
  }

  NodeSnapshot node(String nodeId) {
    NodeState state = nodes.get(nodeId);
    return state == null ? null : state.snapshot;
  }

  int freeCount(String nodeId) {
    NodeState state = nodes.get(nodeId);
    return state == null || state.free == null ? 0 : state.freeCount;
  }

  /** Free device indices of a ready node, ascending (empty for other nodes). */
  Set<Integer> free(String nodeId) {
    NodeState state = nodes.get(nodeId);
    if (state == null || state.free == null) {
      return Set.of();
    }
    TreeSet<Integer> here = new TreeSet<>();
    for (int p = state.free.nextSetBit(0); p >= 0; p = state.free.nextSetBit(p + 1)) {
      here.add(state.indices[p]);
    }
    return Collections.unmodifiableSet(here);
  }

  /**
   * Every free index of a ready node that the request accepts and that is not excluded, ascending,
   * in a new list the caller may change (empty for other nodes).
   */
  List<Integer> freeAccepted(String nodeId, ResourceRequest request, Set<Integer> excluded) {
    NodeState state = nodes.get(nodeId);
    List<Integer> chosen = new ArrayList<>();
    if (state == null || state.free == null) {
      return chosen;
    }
    for (int p = state.free.nextSetBit(0); p >= 0; p = state.free.nextSetBit(p + 1)) {
      int index = state.indices[p];
      if (!excluded.contains(index) && request.accepts(state.devices[p])) {
        chosen.add(index);
      }
    }
    return chosen;
  }

  /** The device with this index on this node, or null when there is none. */
  DeviceSnapshot device(String nodeId, int index) {
    NodeState state = nodes.get(nodeId);
    if (state == null) {
      return null;
    }
    int p = state.position(index);
    return p < 0 ? null : state.devices[p];
  }

  /**
   * Ready nodes with at least {@code k} free GPUs (of any model), fewest free first or most free
   * first, ties by node id. The view is lazy: callers stop early.
   */
  Iterable<String> candidates(int k, boolean tightestFirst) {
    return () ->
        new Iterator<>() {
          private final int step = tightestFirst ? 1 : -1;
          private int count = tightestFirst ? Math.max(k, 0) : byFreeCount.length - 1;
          private int rank = -1;

          @Override
          public boolean hasNext() {
            while (count >= Math.max(k, 0) && count < byFreeCount.length) {
              BitSet bucket = byFreeCount[count];
              int next = bucket == null ? -1 : bucket.nextSetBit(rank + 1);
              if (next >= 0) {
                rank = next - 1;
                return true;
              }
              count += step;
              rank = -1;
            }
            return false;
          }

          @Override
          public String next() {
            if (!hasNext()) {
              throw new NoSuchElementException();
            }
            rank++;
            return byRank[rank].snapshot.id();
          }
        };
  }

  /**
   * Ready node ids that a request naming a node may use: the one whose id or name that is (names
   * are not unique, so possibly several), ascending.
   */
  List<String> named(String node) {
    List<String> ids = new ArrayList<>(1);
    for (NodeState state : byRank) {
      if (state.snapshot.id().equals(node) || state.snapshot.name().equals(node)) {
        ids.add(state.snapshot.id());
      }
    }
    return ids;
  }

  /**
   * The lowest free indices on a node that satisfy the request and are not excluded, or null when
   * there are fewer than the request needs. A pinned request gets exactly its devices or null.
   */
  List<Integer> pick(String nodeId, ResourceRequest request, Set<Integer> excluded) {
    if (request.isPinned()) {
      return pickPinned(nodeId, request, excluded);
    }
    NodeState state = nodes.get(nodeId);
    if (state == null || state.free == null || state.freeCount < request.gpus()) {
      return null;
    }
    List<Integer> chosen = new ArrayList<>(request.gpus());
    List<DeviceSnapshot> eligible = null;
    for (int p = state.free.nextSetBit(0); p >= 0; p = state.free.nextSetBit(p + 1)) {
      int index = state.indices[p];
      DeviceSnapshot device = state.devices[p];
      if (!excluded.contains(index) && request.accepts(device)) {
        if (eligible == null && !device.interconnectGroup().isEmpty() && request.gpus() > 1) {
          eligible = new ArrayList<>();
        }
        if (eligible != null) {
          eligible.add(device);
          continue;
        }
        chosen.add(index);
        if (chosen.size() == request.gpus()) {
          // No topology known: the lowest indices, without looking further.
          return chosen;
        }
      }
    }
    if (eligible == null) {
      return null;
    }
    // Islands are known: choose among all eligible devices, those taken so far included.
    List<DeviceSnapshot> all = new ArrayList<>(chosen.size() + eligible.size());
    for (int index : chosen) {
      all.add(device(nodeId, index));
    }
    all.addAll(eligible);
    return Topology.choose(all, request.gpus());
  }

  /**
   * The pinned devices of a request if all of them are on this ready node, unused, accepted and not
   * excluded; else null. Quarantined devices only for a request that may use them.
   */
  private List<Integer> pickPinned(String nodeId, ResourceRequest request, Set<Integer> excluded) {
    NodeState state = nodes.get(nodeId);
    if (state == null || state.free == null) {
      return null;
    }
    for (int index : request.deviceIndices()) {
      int p = state.position(index);
      if (p < 0 || !state.idle.get(p) || excluded.contains(index)) {
        return null;
      }
      DeviceSnapshot device = state.devices[p];
      if (!(device.healthy() || request.mayUseQuarantined()) || !request.accepts(device)) {
        return null;
      }
    }
    return new ArrayList<>(request.deviceIndices());
  }

  /** Marks devices as taken by a placement made in this pass. */
  void take(String nodeId, List<Integer> indices) {
    NodeState state = nodes.get(nodeId);
    unindex(state);
    for (int index : indices) {
      int p = state.position(index);
      if (p >= 0) {
        state.idle.clear(p);
      }
      if (p >= 0 && state.free.get(p)) {
        state.free.clear(p);
        state.freeCount--;
      }
    }
    index(state);
  }

  /** Returns devices taken earlier in this pass (a gang that did not fit as a whole). */
  void release(String nodeId, List<Integer> indices) {
    NodeState state = nodes.get(nodeId);
    unindex(state);
    for (int index : indices) {
      int p = state.position(index);
      if (p >= 0) {
        state.idle.set(p);
      }
      if (p >= 0 && !state.free.get(p) && state.devices[p].healthy()) {
        state.free.set(p);
        state.freeCount++;
      }
    }
    index(state);
  }

  private void index(NodeState state) {
    if (state.freeCount >= byFreeCount.length) {
      byFreeCount = Arrays.copyOf(byFreeCount, state.freeCount + 1);
    }
    if (byFreeCount[state.freeCount] == null) {
      byFreeCount[state.freeCount] = new BitSet(byRank.length);
    }
    byFreeCount[state.freeCount].set(state.rank);
  }

  private void unindex(NodeState state) {
    byFreeCount[state.freeCount].clear(state.rank);
  }

  /** One node: its devices sorted by index (one per index, the last listed), which are free. */
  private static final class NodeState {
    final NodeSnapshot snapshot;
    final int[] indices;
    final DeviceSnapshot[] devices;

    /** Positions (in {@link #indices}) of the free devices; null when the node is not ready. */
    final BitSet free;

    /**
     * Positions of the devices no task uses (healthy or not): what a diagnostic pinned to a
     * quarantined device needs. Null when the node is not ready.
     */
    final BitSet idle;

    int freeCount;

    /** Position among the ready nodes by id; -1 until ranked. */
    int rank = -1;

    NodeState(NodeSnapshot node) {
      snapshot = node;
      List<DeviceSnapshot> listed = node.devices();
      int n = listed.size();
      DeviceSnapshot[] sorted = listed.toArray(DeviceSnapshot[]::new);
      boolean ascending = true;
      for (int i = 1; i < n && ascending; i++) {
        ascending = sorted[i - 1].index() < sorted[i].index();
      }
      if (!ascending) {
        // Stable, so among devices listed with the same index the last one listed ends up last.
        Arrays.sort(sorted, (a, b) -> Integer.compare(a.index(), b.index()));
      }
      int[] idx = new int[n];
      DeviceSnapshot[] devs = new DeviceSnapshot[n];
      boolean[] anyFree = new boolean[n];
      boolean[] anyIdle = new boolean[n];
      int unique = 0;
      for (DeviceSnapshot device : sorted) {
        if (unique > 0 && idx[unique - 1] == device.index()) {
          devs[unique - 1] = device;
          anyFree[unique - 1] |= device.isFree();
          anyIdle[unique - 1] |= device.isIdle();
        } else {
          idx[unique] = device.index();
          devs[unique] = device;
          anyFree[unique] = device.isFree();
          anyIdle[unique] = device.isIdle();
          unique++;
        }
      }
      indices = unique == n ? idx : Arrays.copyOf(idx, unique);
      devices = unique == n ? devs : Arrays.copyOf(devs, unique);
      if (node.ready()) {
        free = new BitSet(unique);
        idle = new BitSet(unique);
        for (int p = 0; p < unique; p++) {
          if (anyFree[p]) {
            free.set(p);
            freeCount++;
          }
          if (anyIdle[p]) {
            idle.set(p);
          }
        }
      } else {
        free = null;
        idle = null;
      }
    }

    /** Where {@code index} sits in {@link #indices}, or -1. */
    int position(int index) {
      if (index >= 0 && index < indices.length && indices[index] == index) {
        return index; // the usual case: devices numbered 0..n-1
      }
      int p = Arrays.binarySearch(indices, index);
      return p < 0 ? -1 : p;
    }
  }
}
