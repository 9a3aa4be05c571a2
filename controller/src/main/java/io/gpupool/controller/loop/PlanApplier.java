package io.gpupool.controller.loop;

import io.gpupool.controller.core.Plan;
import io.gpupool.controller.core.Preemption;
import io.gpupool.controller.core.Reservation;
import io.gpupool.controller.state.NodeEntry;
import io.gpupool.controller.state.TaskEntry;
import io.gpupool.proto.v1.Placement;
import io.gpupool.proto.v1.TaskState;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Runs the policy on a snapshot of the state and applies its plan: placements (with the commands
 * that start them), preemptions, waiting reasons and expected starts.
 */
final class PlanApplier {
  private static final int GANG_BASE_PORT = 29500;
  private static final int GANG_PORT_RANGE = 1000;

  private final LoopContext ctx;

  PlanApplier(LoopContext ctx) {
    this.ctx = ctx;
  }

  void schedule(Pass pass) {
    Plan plan = ctx.policy.schedule(ctx.state.snapshot(pass.now, ctx.estimator));
    for (var placement : plan.placements()) {
      place(placement, pass);
    }
    for (Preemption preemption : plan.preemptions()) {
      preempt(preemption, pass);
    }
    plan.waiting()
        .forEach(
            (taskId, reason) -> {
              TaskEntry task = ctx.state.task(taskId);
              if (task.explain(reason)) {
                pass.changed(task, null);
              }
            });
    Map<String, Instant> expectedStarts = new HashMap<>();
    for (Reservation reservation : plan.reservations()) {
      reservation.expectedStart().ifPresent(at -> expectedStarts.put(reservation.taskId(), at));
    }
    for (String taskId : plan.waiting().keySet()) {
      TaskEntry task = ctx.state.task(taskId);
      if (task.expectStart(expectedStarts.get(taskId))) {
        pass.changed(task, null);
      }
    }
  }

  private void place(io.gpupool.controller.core.Placement placement, Pass pass) {
    TaskEntry task = ctx.state.task(placement.taskId());
    NodeEntry node = ctx.state.node(placement.nodeId());
    Placement.Builder where =
        Placement.newBuilder()
            .setNodeId(node.id())
            .setNodeName(node.name())
            .addAllDeviceIndices(placement.deviceIndices());
    for (int index : placement.deviceIndices()) {
      where.addDeviceUuids(node.device(index).getUuid());
    }
    task.place(where.build());
    ctx.metrics.placements.mark();
    node.hold(task);
    var event =
        task.transition(
            TaskState.TASK_STATE_SCHEDULED,
            "placed on " + node.name() + " (GPU " + PlanApplier.devices(task) + ")",
            pass.now,
            null);
    pass.changed(task, event);
    pass.nodeViewed(node);
    pass.send(node.session(), AgentCommands.start(task, environment(task)));
  }

  /**
   * What a gang member needs to find its peers, as torch.distributed and friends expect it: its
   * rank, the gang's size, and rank 0's host with a port derived from the gang id.
   */
  Map<String, String> environment(TaskEntry task) {
    Map<String, String> env = new TreeMap<>(gangEnvironment(task));
    long share = task.task().getSpec().getResources().getGpuMemoryBytes();
    if (share > 0) {
      env.put("GPUPOOL_GPU_MEMORY_BYTES", String.valueOf(share));
    }
    return env;
  }

  private Map<String, String> gangEnvironment(TaskEntry task) {
    if (!task.task().hasGang() || task.task().getGang().getSize() <= 1) {
      return Map.of();
    }
    var gang = task.task().getGang();
    TaskEntry leader = ctx.state.task(gang.getId());
    String masterHost = leader == null ? "" : leader.task().getPlacement().getNodeName();
    long gangNumber = Long.parseLong(gang.getId().substring("t-".length()));
    return Map.of(
        "RANK", String.valueOf(gang.getRank()),
        "WORLD_SIZE", String.valueOf(gang.getSize()),
        "MASTER_ADDR", masterHost,
        "MASTER_PORT", String.valueOf(GANG_BASE_PORT + gangNumber % GANG_PORT_RANGE));
  }

  /** Tells a task (and, for a gang, its fellow members) to stop for higher-priority work. */
  private void preempt(Preemption preemption, Pass pass) {
    requestPreemption(ctx.state.task(preemption.victimId()), preemption.reason(), pass);
  }

  /**
   * Sends a placed task (and, for a gang, its fellow members: a gang runs whole or not at all) the
   * preemption notice; each goes back to the queue once its agent reports it stopped. Tasks already
   * stopping are left alone.
   */
  void requestPreemption(TaskEntry victim, String reason, Pass pass) {
    List<TaskEntry> targets =
        victim.task().hasGang()
            ? ctx.state.gangMembers(victim.task().getGang().getId())
            : List.of(victim);
    for (TaskEntry target : targets) {
      if (target.state() == TaskState.TASK_STATE_PENDING
          || target.task().getPreemptionRequested()
          || target.task().getCancelRequested()) {
        continue;
      }
      target.requestPreemption(TaskEndings.PREEMPTING + reason);
      pass.changed(target, null);
      NodeEntry node = ctx.state.node(target.nodeId());
      if (node != null && node.isConnected()) {
        pass.send(node.session(), AgentCommands.preempt(target, reason, ctx.preemptionNotice));
      }
    }
  }

  static String devices(TaskEntry task) {
    return task.task().getPlacement().getDeviceIndicesList().stream()
        .map(String::valueOf)
        .collect(Collectors.joining(","));
  }
}
