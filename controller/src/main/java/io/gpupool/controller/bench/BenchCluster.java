package io.gpupool.controller.bench;

import io.gpupool.controller.core.ClusterSnapshot;
import io.gpupool.controller.core.DeviceSnapshot;
import io.gpupool.controller.core.NodeSnapshot;
import io.gpupool.controller.core.PendingTask;
import io.gpupool.controller.core.Placement;
import io.gpupool.controller.core.Plan;
import io.gpupool.controller.core.Preemption;
import io.gpupool.controller.core.RunningTask;
import io.gpupool.controller.core.RuntimeEstimates;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Random;

/**
 * The benchmark's stand-in for the controller's cluster state: applies plans as the live loop does
 * (placed tasks start, preemption victims are told to stop), lets running work complete, and
 * freezes the state into snapshots for the next pass. Checks every plan it applies, so a policy
 * that double-books a GPU fails the run instead of inflating its numbers.
 *
 * <p>Not thread-safe; owned by one benchmark run.
 */
final class BenchCluster {
  private final NodeSnapshot[] nodes;
  private final Map<String, Integer> nodeIndex = new HashMap<>();
  private final boolean[][] allocated;
  private final boolean[] changed;
  private final Map<String, PendingTask> pending = new LinkedHashMap<>();
  private final Map<String, RunningTask> running = new LinkedHashMap<>();
  private int busyGpus;
  private int peakBusyGpus;

  BenchCluster(Workload workload) {
    nodes = workload.nodes().toArray(NodeSnapshot[]::new);
    allocated = new boolean[nodes.length][];
    changed = new boolean[nodes.length];
    for (int n = 0; n < nodes.length; n++) {
      nodeIndex.put(nodes[n].id(), n);
      List<DeviceSnapshot> devices = nodes[n].devices();
      allocated[n] = new boolean[devices.size()];
      for (int i = 0; i < devices.size(); i++) {
        allocated[n][i] = devices.get(i).allocated();
      }
    }
    for (RunningTask task : workload.background()) {
      running.put(task.id(), task);
      busyGpus += task.deviceIndices().size();
    }
    peakBusyGpus = busyGpus;
    workload.queue().forEach(task -> pending.put(task.id(), task));
  }

  /** The state at {@code now} as the core sees it. */
  ClusterSnapshot snapshot(Instant now) {
    for (int n = 0; n < nodes.length; n++) {
      if (changed[n]) {
        nodes[n] = withAllocation(nodes[n], allocated[n]);
        changed[n] = false;
      }
    }
    return new ClusterSnapshot(
        now,
        Arrays.asList(nodes),
        new ArrayList<>(pending.values()),
        new ArrayList<>(running.values()),
        RuntimeEstimates.NONE);
  }

  /**
   * Starts the plan's placements at {@code now} and marks its preemption victims as stopping.
   *
   * @throws IllegalStateException when the plan places a task that is not pending, or on a GPU that
   *     is busy or does not exist
   */
  void apply(Plan plan, Instant now) {
    for (Placement placement : plan.placements()) {
      PendingTask task = pending.remove(placement.taskId());
      Integer n = nodeIndex.get(placement.nodeId());
      if (task == null || n == null) {
        throw new IllegalStateException("the policy placed an unknown task or node: " + placement);
      }
      for (int index : placement.deviceIndices()) {
        if (index < 0 || index >= allocated[n].length || allocated[n][index]) {
          throw new IllegalStateException("the policy placed on a busy GPU: " + placement);
        }
        allocated[n][index] = true;
      }
      changed[n] = true;
      busyGpus += placement.deviceIndices().size();
      running.put(
          task.id(),
          new RunningTask(
              task.id(),
              placement.nodeId(),
              placement.deviceIndices(),
              task.request(),
              task.profile(),
              now,
              OptionalDouble.empty()));
    }
    peakBusyGpus = Math.max(peakBusyGpus, busyGpus);
    for (Preemption preemption : plan.preemptions()) {
      running.computeIfPresent(
          preemption.victimId(),
          (id, r) ->
              new RunningTask(
                  id,
                  r.nodeId(),
                  r.deviceIndices(),
                  r.request(),
                  r.profile(),
                  r.startTime(),
                  r.progress(),
                  true));
    }
  }

  /**
   * Ends every task told to stop and a random {@code share} of the others (at least one while any
   * run), freeing their GPUs.
   */
  void completeSome(double share, Random random) {
    List<RunningTask> candidates = new ArrayList<>(running.size());
    for (RunningTask task : running.values()) {
      if (task.beingPreempted()) {
        finish(task);
      } else {
        candidates.add(task);
      }
    }
    int count = candidates.isEmpty() ? 0 : (int) Math.max(1, Math.ceil(share * candidates.size()));
    // A partial Fisher-Yates shuffle: the first `count` entries become a uniform random sample.
    for (int i = 0; i < count; i++) {
      int j = i + random.nextInt(candidates.size() - i);
      RunningTask chosen = candidates.get(j);
      candidates.set(j, candidates.get(i));
      finish(chosen);
    }
  }

  private void finish(RunningTask task) {
    running.remove(task.id());
    int n = nodeIndex.get(task.nodeId());
    for (int index : task.deviceIndices()) {
      allocated[n][index] = false;
    }
    changed[n] = true;
    busyGpus -= task.deviceIndices().size();
  }

  int pendingCount() {
    return pending.size();
  }

  int runningCount() {
    return running.size();
  }

  int peakBusyGpus() {
    return peakBusyGpus;
  }

  int totalGpus() {
    int total = 0;
    for (boolean[] devices : allocated) {
      total += devices.length;
    }
    return total;
  }

  private static NodeSnapshot withAllocation(NodeSnapshot node, boolean[] allocated) {
    List<DeviceSnapshot> devices = new ArrayList<>(allocated.length);
    for (DeviceSnapshot d : node.devices()) {
      devices.add(
          new DeviceSnapshot(
              d.index(),
              d.model(),
              d.memoryBytes(),
              d.healthy(),
              allocated[d.index()],
              d.utilization(),
              d.powerWatts()));
    }
    return new NodeSnapshot(
        node.id(), node.name(), node.ready(), node.labels(), node.successRate(), devices);
  }
}
