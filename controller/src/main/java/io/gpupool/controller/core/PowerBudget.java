package io.gpupool.controller.core;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Keeps new work from pushing the cluster's estimated power draw over a budget: wraps a policy and
 * drops, in decision order, the placements that would. The estimate is the measured draw of every
 * GPU plus, for each GPU a placement makes busy, its power limit (or {@link #UNKNOWN_LIMIT_WATTS})
 * minus what it draws now. A GPU that does not report its draw counts as drawing its limit while it
 * holds work and nothing while idle (so making it busy adds its whole limit). A gang is dropped
 * whole.
 *
 * <p>Pure; dropped tasks wait with a reason and are reconsidered on the next pass.
 */
public final class PowerBudget implements SchedulingPolicy {
  /** Assumed power limit of a GPU that does not report one. */
  static final double UNKNOWN_LIMIT_WATTS = 300;

  private final SchedulingPolicy inner;
  private final double budgetWatts;

  public PowerBudget(SchedulingPolicy inner, double budgetWatts) {
    this.inner = inner;
    this.budgetWatts = budgetWatts;
  }

  @Override
  public Plan schedule(ClusterSnapshot snapshot) {
    Plan plan = inner.schedule(snapshot);
    Map<String, DeviceSnapshot> devices = new HashMap<>();
    double draw = 0;
    for (NodeSnapshot node : snapshot.nodes()) {
      for (DeviceSnapshot device : node.devices()) {
        devices.put(node.id() + "/" + device.index(), device);
        draw += knownOrEstimatedDraw(device);
      }
    }
    Map<String, String> gangOf = new HashMap<>();
    for (PendingTask task : snapshot.queue()) {
      task.gang().ifPresent(g -> gangOf.put(task.id(), g.id()));
    }
    Set<String> busy = new HashSet<>();
    Set<String> droppedGangs = new HashSet<>();
    List<Placement> kept = new ArrayList<>();
    Map<String, String> waiting = new LinkedHashMap<>(plan.waiting());
    for (Placement placement : plan.placements()) {
      double added = 0;
      for (int index : placement.deviceIndices()) {
        String key = placement.nodeId() + "/" + index;
        DeviceSnapshot device = devices.get(key);
        if (busy.add(key) && device != null && device.isFree()) {
          added += Math.max(0, limit(device) - knownOrEstimatedDraw(device));
        }
      }
      String gang = gangOf.get(placement.taskId());
      if (draw + added > budgetWatts || (gang != null && droppedGangs.contains(gang))) {
        if (gang != null) {
          droppedGangs.add(gang);
        }
        waiting.put(
            placement.taskId(),
            String.format(
                "waiting for power: starting it would raise the estimated draw to %.1f kW, over the"
                    + " %.1f kW budget",
                (draw + added) / 1000, budgetWatts / 1000));
      } else {
        draw += added;
        kept.add(placement);
      }
    }
    if (!droppedGangs.isEmpty()) {
      List<Placement> whole = new ArrayList<>();
      for (Placement placement : kept) {
        String gang = gangOf.get(placement.taskId());
        if (gang != null && droppedGangs.contains(gang)) {
          waiting.put(placement.taskId(), "waiting for power: its gang does not fit the budget");
        } else {
          whole.add(placement);
        }
      }
      kept = whole;
    }
    return new Plan(kept, waiting, plan.reservations(), plan.preemptions());
  }

  private static double limit(DeviceSnapshot device) {
    return device.powerLimitWatts() > 0 ? device.powerLimitWatts() : UNKNOWN_LIMIT_WATTS;
  }

  private static double knownOrEstimatedDraw(DeviceSnapshot device) {
    if (device.hasPowerWatts()) {
      return device.powerWatts();
    }
    return device.isIdle() ? 0 : limit(device);
  }
}
