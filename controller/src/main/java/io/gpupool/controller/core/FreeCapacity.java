package io.gpupool.controller.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The free GPUs of ready nodes during one pass, indexed by how many each node has free, so finding
 * nodes for a task of k GPUs does not scan every node.
 *
 * <p>Not thread-safe; lives for one pass.
 */
final class FreeCapacity {
  private final Map<String, NodeSnapshot> nodes = new HashMap<>();
  private final Map<String, Map<Integer, DeviceSnapshot>> devices = new HashMap<>();
  private final Map<String, TreeSet<Integer>> free = new HashMap<>();
  private final NavigableMap<Integer, TreeSet<String>> byFreeCount = new TreeMap<>();

  FreeCapacity(List<NodeSnapshot> snapshot) {
    for (NodeSnapshot node : snapshot) {
      nodes.put(node.id(), node);
      Map<Integer, DeviceSnapshot> byIndex = new HashMap<>();
      TreeSet<Integer> freeHere = new TreeSet<>();
      for (DeviceSnapshot device : node.devices()) {
        byIndex.put(device.index(), device);
        if (device.isFree()) {
          freeHere.add(device.index());
        }
      }
      devices.put(node.id(), byIndex);
      if (node.ready()) {
        free.put(node.id(), freeHere);
        index(node.id(), freeHere.size());
      }
    }
  }

  NodeSnapshot node(String nodeId) {
    return nodes.get(nodeId);
  }

  int freeCount(String nodeId) {
    TreeSet<Integer> here = free.get(nodeId);
    return here == null ? 0 : here.size();
  }

  /** Free device indices of a ready node, ascending (empty for other nodes). */
  Set<Integer> free(String nodeId) {
    TreeSet<Integer> here = free.get(nodeId);
    return here == null ? Set.of() : Collections.unmodifiableSet(here);
  }

  DeviceSnapshot device(String nodeId, int index) {
    return devices.get(nodeId).get(index);
  }

  /**
   * Ready nodes with at least {@code k} free GPUs (of any model), fewest free first or most free
   * first, ties by node id. The view is lazy: callers stop early.
   */
  Iterable<String> candidates(int k, boolean tightestFirst) {
    NavigableMap<Integer, TreeSet<String>> fitting = byFreeCount.tailMap(k, true);
    NavigableMap<Integer, TreeSet<String>> ordered =
        tightestFirst ? fitting : fitting.descendingMap();
    return () ->
        new Iterator<>() {
          private final Iterator<TreeSet<String>> buckets = ordered.values().iterator();
          private Iterator<String> current = Collections.emptyIterator();

          @Override
          public boolean hasNext() {
            while (!current.hasNext() && buckets.hasNext()) {
              current = buckets.next().iterator();
            }
            return current.hasNext();
          }

          @Override
          public String next() {
            if (!hasNext()) {
              throw new NoSuchElementException();
            }
            return current.next();
          }
        };
  }

  /**
   * The lowest free indices on a node that satisfy the request and are not excluded, or null when
   * there are fewer than the request needs.
   */
  List<Integer> pick(String nodeId, ResourceRequest request, Set<Integer> excluded) {
    TreeSet<Integer> here = free.get(nodeId);
    if (here == null || here.size() < request.gpus()) {
      return null;
    }
    List<Integer> chosen = new ArrayList<>(request.gpus());
    for (int index : here) {
      if (!excluded.contains(index) && request.accepts(device(nodeId, index))) {
        chosen.add(index);
        if (chosen.size() == request.gpus()) {
          return chosen;
        }
      }
    }
    return null;
  }

  /** Marks devices as taken by a placement made in this pass. */
  void take(String nodeId, List<Integer> indices) {
    TreeSet<Integer> here = free.get(nodeId);
    unindex(nodeId, here.size());
    indices.forEach(here::remove);
    index(nodeId, here.size());
  }

  /** Returns devices taken earlier in this pass (a gang that did not fit as a whole). */
  void release(String nodeId, List<Integer> indices) {
    TreeSet<Integer> here = free.get(nodeId);
    unindex(nodeId, here.size());
    here.addAll(indices);
    index(nodeId, here.size());
  }

  private void index(String nodeId, int count) {
    byFreeCount.computeIfAbsent(count, c -> new TreeSet<>()).add(nodeId);
  }

  private void unindex(String nodeId, int count) {
    TreeSet<String> bucket = byFreeCount.get(count);
    bucket.remove(nodeId);
    if (bucket.isEmpty()) {
      byFreeCount.remove(count);
    }
  }
}
