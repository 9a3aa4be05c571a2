package io.gpupool.controller.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The first placement policy: tasks in submission order, each on the first ready node (by id) with
 * enough free matching GPUs, taking its lowest free indices.
 *
 * <p>A task that does not fit does not block later ones (no reservations yet), and gets a reason
 * that says whether it waits for GPUs to free up or needs a node that does not exist.
 */
public final class FirstFitPolicy implements SchedulingPolicy {

  @Override
  public Plan schedule(ClusterSnapshot snapshot) {
    List<NodeSnapshot> nodes = new ArrayList<>(snapshot.nodes());
    nodes.sort(Comparator.comparing(NodeSnapshot::id));
    Map<String, Set<Integer>> taken = new HashMap<>();
    List<Placement> placements = new ArrayList<>();
    Map<String, String> waiting = new LinkedHashMap<>();

    List<PendingTask> queue = new ArrayList<>(snapshot.queue());
    queue.sort(Comparator.comparingLong(PendingTask::sequence));
    for (PendingTask task : queue) {
      Placement placement = placeOnFirstFit(task, nodes, taken);
      if (placement == null) {
        waiting.put(task.id(), WaitingReasons.explain(task.request(), nodes));
      } else {
        taken
            .computeIfAbsent(placement.nodeId(), id -> new HashSet<>())
            .addAll(placement.deviceIndices());
        placements.add(placement);
      }
    }
    return new Plan(placements, waiting);
  }

  private static Placement placeOnFirstFit(
      PendingTask task, List<NodeSnapshot> nodes, Map<String, Set<Integer>> taken) {
    for (NodeSnapshot node : nodes) {
      if (!node.ready()) {
        continue;
      }
      Set<Integer> takenHere = taken.getOrDefault(node.id(), Set.of());
      List<Integer> chosen = new ArrayList<>();
      for (DeviceSnapshot device : node.devices()) {
        if (device.isFree()
            && !takenHere.contains(device.index())
            && task.request().acceptsModel(device.model())) {
          chosen.add(device.index());
          if (chosen.size() == task.request().gpus()) {
            chosen.sort(Comparator.naturalOrder());
            return new Placement(task.id(), node.id(), chosen);
          }
        }
      }
    }
    return null;
  }
}
