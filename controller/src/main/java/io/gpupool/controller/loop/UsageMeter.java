package io.gpupool.controller.loop;

import io.gpupool.controller.state.NodeEntry;
import io.gpupool.controller.state.TaskEntry;
import io.gpupool.proto.v1.DeviceStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Accumulates each task's usage (Task.usage) from the heartbeats of the node its GPUs are on.
 *
 * <p>Every heartbeat adds, for each GPU a task holds, the wall-clock time since the task's previous
 * sample (capped at the heartbeat timeout, so that a silent node or a controller restart does not
 * count) times the task's share of that GPU (1/n when n tasks share it); the same time counts as
 * idle when the sampled utilization is under the threshold, and the sampled power times the time as
 * energy. The first sample of a task only starts its clock. The usage rides on the task: it is
 * stored whenever the task is, and at least every {@link #FLUSH_EVERY} while it holds GPUs, never
 * on every heartbeat.
 *
 * <p>Not thread-safe; lives on the loop thread.
 */
final class UsageMeter {
  /** How often a task holding GPUs is stored just for its usage. */
  static final Duration FLUSH_EVERY = Duration.ofMinutes(1);

  private final LoopContext ctx;
  private final Map<String, Instant> lastSample = new HashMap<>();
  private final Map<String, Instant> lastFlush = new HashMap<>();
  private Instant lastSweep = Instant.MIN;

  UsageMeter(LoopContext ctx) {
    this.ctx = ctx;
  }

  void sample(NodeEntry node, List<DeviceStatus> devices, Pass pass) {
    Map<String, Double> seconds = new LinkedHashMap<>();
    Map<String, double[]> added = new LinkedHashMap<>();
    Map<String, String> models = new HashMap<>();
    for (DeviceStatus device : devices) {
      List<String> holders = node.tasksUsing(device.getIndex());
      if (holders.isEmpty()) {
        continue;
      }
      double share = 1.0 / holders.size();
      boolean idle =
          device.hasUtilizationPercent()
              && device.getUtilizationPercent() < ctx.idleUtilizationPercent;
      String model =
          node.hasDevice(device.getIndex()) ? node.device(device.getIndex()).getModel() : "";
      for (String taskId : holders) {
        double dt = seconds.computeIfAbsent(taskId, id -> elapsed(id, pass.now));
        double[] sums = added.computeIfAbsent(taskId, id -> new double[3]);
        sums[0] += dt * share;
        sums[1] += idle ? dt * share : 0;
        sums[2] += device.hasPowerWatts() ? device.getPowerWatts() * dt * share : 0;
        models.put(taskId, model);
      }
    }
    added.forEach(
        (taskId, sums) -> {
          TaskEntry task = ctx.state.task(taskId);
          if (task == null) {
            return;
          }
          task.addUsage(sums[0], sums[1], sums[2], models.getOrDefault(taskId, ""));
          Instant flushed = lastFlush.putIfAbsent(taskId, pass.now);
          if (flushed != null && !pass.now.isBefore(flushed.plus(FLUSH_EVERY))) {
            pass.changed(task, null);
            lastFlush.put(taskId, pass.now);
          }
        });
    forgetEndedTasks(pass.now);
  }

  /** Seconds since the task's previous sample, capped; 0 for its first. */
  private double elapsed(String taskId, Instant now) {
    Instant previous = lastSample.put(taskId, now);
    if (previous == null || now.isBefore(previous)) {
      return 0;
    }
    Duration gap = Duration.between(previous, now);
    if (gap.compareTo(ctx.heartbeatTimeout) > 0) {
      gap = ctx.heartbeatTimeout;
    }
    return gap.toNanos() / 1e9;
  }

  private void forgetEndedTasks(Instant now) {
    if (now.isBefore(lastSweep.plus(FLUSH_EVERY))) {
      return;
    }
    lastSweep = now;
    lastSample.keySet().removeIf(id -> ctx.state.task(id) == null);
    lastFlush.keySet().removeIf(id -> ctx.state.task(id) == null);
  }
}
