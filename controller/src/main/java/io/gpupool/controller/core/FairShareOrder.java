package io.gpupool.controller.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Weighted fair share across tenants, dominant resource fairness on GPUs: repeatedly take the
 * oldest task of the tenant with the smallest share (GPUs held, plus those its earlier tasks in
 * this order would take, divided by its weight). Tenants without a weight have weight 1.
 */
public final class FairShareOrder implements QueueOrder {
  private final Map<String, Double> weights;

  public FairShareOrder(Map<String, Double> weights) {
    this.weights = Map.copyOf(weights);
  }

  @Override
  public List<PendingTask> order(ClusterSnapshot snapshot) {
    Map<String, Double> held = new HashMap<>();
    for (RunningTask running : snapshot.running()) {
      held.merge(running.profile().tenant(), (double) running.request().gpus(), Double::sum);
    }
    Map<String, Deque<PendingTask>> byTenant = new TreeMap<>();
    snapshot.queue().stream()
        .sorted(Comparator.comparingLong(PendingTask::sequence))
        .forEach(
            t -> byTenant.computeIfAbsent(t.profile().tenant(), k -> new ArrayDeque<>()).add(t));
    List<PendingTask> order = new ArrayList<>(snapshot.queue().size());
    while (!byTenant.isEmpty()) {
      String next = null;
      double lowest = Double.MAX_VALUE;
      for (String tenant : byTenant.keySet()) {
        double share = held.getOrDefault(tenant, 0.0) / weights.getOrDefault(tenant, 1.0);
        if (share < lowest) {
          lowest = share;
          next = tenant;
        }
      }
      Deque<PendingTask> tasks = byTenant.get(next);
      PendingTask task = tasks.poll();
      order.add(task);
      held.merge(next, (double) task.request().gpus(), Double::sum);
      if (tasks.isEmpty()) {
        byTenant.remove(next);
      }
    }
    return order;
  }
}
