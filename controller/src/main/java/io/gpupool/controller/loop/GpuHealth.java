package io.gpupool.controller.loop;

import io.gpupool.controller.state.NodeEntry;
import io.gpupool.controller.state.TaskEntry;
import io.gpupool.proto.v1.DeviceDiagnostic;
import io.gpupool.proto.v1.DeviceStatus;
import io.gpupool.proto.v1.TaskResult;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where GPU health decisions are made: a GPU reported unhealthy is quarantined at once and the work
 * on it is told to stop (to be requeued elsewhere, gangs whole, whatever their priority); a
 * diagnostic that passes on a quarantined GPU ends its quarantine.
 *
 * <p>Not thread-safe; used on the loop thread only.
 */
final class GpuHealth {
  private static final Logger log = LoggerFactory.getLogger(GpuHealth.class);

  /** Reason code of work stopped because its GPU broke. */
  static final String UNHEALTHY_CODE = "GPU_UNHEALTHY";

  private final LoopContext ctx;
  private final PlanApplier plans;

  GpuHealth(LoopContext ctx, PlanApplier plans) {
    this.ctx = ctx;
    this.plans = plans;
  }

  /**
   * Quarantines each GPU a heartbeat reports unhealthy (unless it already is) and stops its work.
   */
  void check(NodeEntry node, List<DeviceStatus> statuses, Pass pass) {
    for (DeviceStatus status : statuses) {
      int index = status.getIndex();
      if (status.getHealthy() || !node.hasDevice(index)) {
        continue;
      }
      String why =
          status.getHealthReason().isEmpty() ? "reported unhealthy" : status.getHealthReason();
      if (!node.quarantine(index, why, pass.now)) {
        continue;
      }
      String reason =
          UNHEALTHY_CODE
              + ": GPU "
              + index
              + " ("
              + node.device(index).getUuid()
              + ") on "
              + node.name()
              + ": "
              + why;
      log.warn("{}; quarantined, its work is requeued elsewhere", reason);
      pass.nodeStored(node);
      pass.capacityChanged();
      for (String taskId : node.tasksUsing(index)) {
        TaskEntry task = ctx.state.task(taskId);
        // A diagnostic on the GPU is what may end the quarantine: it runs on.
        if (task != null && !task.task().getSpec().hasDiagnostic()) {
          plans.requestPreemption(task, reason, pass);
        }
      }
    }
  }

  /** Ends the quarantine of each GPU on which a finished diagnostic task passed. */
  void diagnosed(TaskEntry task, TaskResult result, Pass pass) {
    if (!task.task().getSpec().hasDiagnostic() || !result.hasDiagnostic()) {
      return;
    }
    NodeEntry node = ctx.state.node(task.nodeId());
    if (node == null) {
      return;
    }
    List<Integer> ranOn = task.task().getPlacement().getDeviceIndicesList();
    for (DeviceDiagnostic device : result.getDiagnostic().getDevicesList()) {
      int index = device.getDeviceIndex();
      if (device.getPassed() && ranOn.contains(index) && node.clearQuarantine(index)) {
        log.info(
            "GPU {} on {} passed diagnostic {}; quarantine ended", index, node.name(), task.id());
        pass.nodeStored(node);
        pass.capacityChanged();
      }
    }
  }
}
