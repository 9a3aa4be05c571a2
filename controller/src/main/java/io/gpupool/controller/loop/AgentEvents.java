package io.gpupool.controller.loop;

import io.gpupool.controller.core.ExpectedEnd;
import io.gpupool.controller.error.ControllerException;
import io.gpupool.controller.state.AgentLink;
import io.gpupool.controller.state.ClusterState;
import io.gpupool.controller.state.Credentials;
import io.gpupool.controller.state.NodeEntry;
import io.gpupool.controller.state.SpecViews;
import io.gpupool.controller.state.TaskEntry;
import io.gpupool.controller.state.TaskLifecycle;
import io.gpupool.controller.state.Timestamps;
import io.gpupool.controller.store.NodeRecord;
import io.gpupool.proto.v1.ConnectResponse;
import io.gpupool.proto.v1.DeviceInfo;
import io.gpupool.proto.v1.Gpu;
import io.gpupool.proto.v1.Heartbeat;
import io.gpupool.proto.v1.HelloAccepted;
import io.gpupool.proto.v1.LogLine;
import io.gpupool.proto.v1.Node;
import io.gpupool.proto.v1.Progress;
import io.gpupool.proto.v1.RegisterRequest;
import io.gpupool.proto.v1.TaskEnded;
import io.gpupool.proto.v1.TaskResult;
import io.gpupool.proto.v1.TaskState;
import io.gpupool.proto.v1.TaskUpdate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What agents tell the loop: registrations, session hellos (with reconciliation), heartbeats, task
 * updates (applied once each, acknowledged after the commit), and ended sessions; plus the
 * heartbeat deadline.
 */
final class AgentEvents {
  private static final Logger log = LoggerFactory.getLogger(AgentEvents.class);

  private final LoopContext ctx;
  private final TaskEndings endings;
  private final PlanApplier plans;
  private final GpuHealth health;
  private final UsageMeter usage;
  private final LogLimiter logs = new LogLimiter();

  AgentEvents(LoopContext ctx, TaskEndings endings, PlanApplier plans) {
    this.ctx = ctx;
    this.endings = endings;
    this.plans = plans;
    this.health = new GpuHealth(ctx, plans);
    this.usage = new UsageMeter(ctx);
  }

  void register(LoopEvent.Register e, Pass pass) {
    RegisterRequest request = e.request();
    Node.Builder registration =
        Node.newBuilder()
            .setId(request.getNodeId())
            .setName(request.getNodeName())
            .setRegisterTime(Timestamps.of(pass.now))
            .setAgentVersion(request.getAgentVersion())
            .setDriverVersion(request.getDriverVersion())
            .setCudaDriverVersion(request.getCudaDriverVersion())
            .putAllLabels(request.getLabelsMap());
    for (DeviceInfo device : request.getDevicesList()) {
      registration.addGpus(Gpu.newBuilder().setInfo(device));
    }
    NodeEntry node = ctx.state.node(request.getNodeId());
    if (node == null) {
      node = new NodeEntry(new NodeRecord(registration.build(), e.credentialHash(), "", 0));
      ctx.state.add(node);
      log.info(
          "node {} ({}) registered with {} GPUs",
          node.name(),
          node.id(),
          request.getDevicesCount());
    } else {
      if (node.isConnected()) {
        node.session().close("the agent registered again; this session is replaced");
        node.disconnect();
      }
      node.reregister(registration.build(), e.credentialHash());
      log.info("node {} ({}) registered again", node.name(), node.id());
    }
    pass.nodeStored(node);
    pass.capacityChanged();
    Replies.afterCommit(pass, e.reply(), () -> null);
  }

  void hello(LoopEvent.Hello e, Pass pass) {
    String nodeId = e.hello().getNodeId();
    NodeEntry node = ctx.state.node(nodeId);
    if (node == null
        || !Credentials.matches(e.hello().getNodeCredential(), node.credentialHash())) {
      throw ControllerException.unauthenticated(
          "unknown node or wrong node credential for node '" + nodeId + "'; register again");
    }
    if (node.isConnected() && node.session() != e.link()) {
      node.session().close("replaced by a newer session of the same node");
    }
    node.connect(e.link(), pass.now);
    pass.send(
        e.link(),
        ConnectResponse.newBuilder().setHelloAccepted(HelloAccepted.getDefaultInstance()).build());
    if (node.adoptInstance(e.hello().getInstanceId())) {
      pass.nodeStored(node);
    }
    pass.nodeViewed(node);
    pass.capacityChanged();
    reconcile(node, new HashSet<>(e.hello().getKnownTaskIdsList()), pass);
    Replies.afterCommit(pass, e.reply(), () -> null);
    log.info("node {} ({}) connected", node.name(), node.id());
  }

  /** Brings the node's tasks in line with what its agent says it knows after a (re)connect. */
  private void reconcile(NodeEntry node, Set<String> known, Pass pass) {
    for (String taskId : known) {
      TaskEntry task = ctx.state.task(taskId);
      if (task == null || !task.nodeId().equals(node.id())) {
        // It ran on while the node was away but was requeued or ended meanwhile: it must not run
        // twice at once.
        pass.send(node.session(), AgentCommands.kill(taskId));
      }
    }
    for (TaskEntry task : ctx.state.tasksOn(node.id())) {
      boolean agentKnows = known.contains(task.id());
      if (agentKnows) {
        if (task.task().getCancelRequested()) {
          pass.send(node.session(), AgentCommands.cancel(task));
        } else if (task.task().getPreemptionRequested()) {
          pass.send(
              node.session(),
              AgentCommands.preempt(
                  task,
                  TaskEndings.stripPrefix(task.task().getReason(), TaskEndings.PREEMPTING),
                  ctx.preemptionNotice));
        }
      } else if (task.state() == TaskState.TASK_STATE_SCHEDULED) {
        if (task.task().getCancelRequested()) {
          endings.finish(
              task,
              task.transition(
                  TaskState.TASK_STATE_CANCELLED, "cancelled before it started", pass.now, null),
              pass);
        } else {
          pass.send(node.session(), AgentCommands.start(task, plans.environment(task)));
        }
      } else if (task.state() == TaskState.TASK_STATE_RUNNING) {
        // The agent came back without it (an in-process CUDA kernel, or a wiped state dir): the
        // run is gone as surely as on a lost node, and is retried the same way.
        requeueLost(
            task,
            node,
            "NODE_LOST: the agent on " + node.name() + " restarted without the task",
            pass);
      }
    }
  }

  void heartbeat(LoopEvent.HeartbeatReceived e, Pass pass) {
    NodeEntry node = currentSession(e.nodeId(), e.link());
    if (node == null) {
      return;
    }
    ctx.metrics.heartbeats.mark();
    Heartbeat heartbeat = e.heartbeat();
    node.heartbeat(
        heartbeat.getDevicesList(),
        heartbeat.hasTime() ? Timestamps.toInstant(heartbeat.getTime()) : pass.now,
        pass.now);
    pass.nodeViewed(node);
    usage.sample(node, heartbeat.getDevicesList(), pass);
    health.check(node, heartbeat.getDevicesList(), pass);
  }

  void update(LoopEvent.UpdateReceived e, Pass pass) {
    NodeEntry node = currentSession(e.nodeId(), e.link());
    if (node == null) {
      return; // a stale stream: the agent resends on its current one
    }
    TaskUpdate update = e.update();
    pass.ack(e.link(), update.getUpdateId());
    if (!node.acceptUpdate(update.getUpdateId())) {
      return; // applied before; the ack above was lost
    }
    pass.nodeStored(node);
    TaskEntry task = ctx.state.task(update.getTaskId());
    if (task == null || !task.nodeId().equals(node.id())) {
      log.debug(
          "ignoring update {} for task {} not running on {}",
          update.getUpdateId(),
          update.getTaskId(),
          node.id());
      return;
    }
    if (update.getAttempt() > 0 && update.getAttempt() != task.task().getAttempt()) {
      log.debug(
          "ignoring update {} of task {}: it is about attempt {}, the task is on attempt {}",
          update.getUpdateId(),
          update.getTaskId(),
          update.getAttempt(),
          task.task().getAttempt());
      return;
    }
    switch (update.getKindCase()) {
      case STARTED -> started(task, node, pass);
      case LOGS -> {
        for (LogLine line : logs.admit(task.id(), update.getLogs().getLinesList(), pass.now)) {
          pass.changed(task, task.log(line));
        }
      }
      case PROGRESS -> {
        List<LogLine> markers = new ArrayList<>();
        boolean kept = logs.admitProgress(task.id(), pass.now, markers);
        markers.forEach(marker -> pass.changed(task, task.log(marker)));
        if (kept) {
          progressed(task, update.getProgress(), pass);
        }
      }
      case ENDED -> ended(task, update.getEnded(), pass);
      case KIND_NOT_SET -> log.debug("empty update {} from {}", update.getUpdateId(), node.id());
    }
  }

  private void started(TaskEntry task, NodeEntry node, Pass pass) {
    if (task.state() == TaskState.TASK_STATE_SCHEDULED) {
      boolean stopping = task.task().getCancelRequested() || task.task().getPreemptionRequested();
      String reason =
          stopping
              ? task.task().getReason()
              : "running on " + node.name() + " (GPU " + PlanApplier.devices(task) + ")";
      pass.changed(task, task.transition(TaskState.TASK_STATE_RUNNING, reason, pass.now, null));
      ctx.estimator
          .estimate(SpecViews.profile(task.task().getSpec()))
          .ifPresent(estimate -> task.expectEnd(pass.now.plus(estimate)));
    }
  }

  private void progressed(TaskEntry task, Progress progress, Pass pass) {
    pass.changed(task, task.progress(progress));
    ExpectedEnd.of(ClusterState.runningView(task, pass.now), pass.now, ctx.estimator)
        .ifPresent(task::expectEnd);
  }

  private void ended(TaskEntry task, TaskEnded ended, Pass pass) {
    // What the limits dropped is told before the end, where whoever reads the output looks.
    for (LogLine marker : logs.finish(task.id(), pass.now)) {
      pass.changed(task, task.log(marker));
    }
    var result = ended.getResult();
    health.diagnosed(task, result, pass);
    boolean checkpointed = result.getMessage().contains("(checkpointed)");
    boolean finishedAnyway = result.hasExitCode() && result.getExitCode() == 0 && !checkpointed;
    // An agent that finds the GPU broken may stop the task itself before the controller's notice
    // arrives: that is the same requeue, not a failure of the task.
    boolean gpuBroke = GpuHealth.UNHEALTHY_CODE.equals(result.getReasonCode());
    if ((ended.getPreempted() || gpuBroke) && !ended.getCancelled() && !finishedAnyway) {
      if (gpuBroke && !task.task().getPreemptionRequested()) {
        task.requestPreemption(
            TaskEndings.PREEMPTING + GpuHealth.UNHEALTHY_CODE + ": " + result.getMessage());
      }
      requeueAfterPreemption(task, checkpointed, pass);
      return;
    }
    TaskState outcome;
    String reason;
    if (ended.getCancelled()) {
      outcome = TaskState.TASK_STATE_CANCELLED;
      reason =
          TaskEndings.stripSuffix(task.task().getReason(), TaskEndings.STOPPING)
              + exitSuffix(ended);
    } else if (result.hasExitCode() && result.getExitCode() == 0) {
      outcome = TaskState.TASK_STATE_SUCCEEDED;
      reason = "exited with code 0";
    } else {
      outcome = TaskState.TASK_STATE_FAILED;
      reason = failureReason(ended);
    }
    if (!TaskLifecycle.allows(task.state(), outcome)) {
      // The agent reports "ended" only after "started", except when the process never started;
      // a clean exit without a start update still ran, so record the run first.
      pass.changed(task, task.transition(TaskState.TASK_STATE_RUNNING, "started", pass.now, null));
    }
    NodeEntry node = ctx.state.node(task.nodeId());
    if (node != null && outcome != TaskState.TASK_STATE_CANCELLED) {
      node.recordOutcome(outcome == TaskState.TASK_STATE_SUCCEEDED);
    }
    endings.finish(task, task.transition(outcome, reason, pass.now, result), pass);
    if (outcome == TaskState.TASK_STATE_SUCCEEDED && task.task().hasStartTime()) {
      ctx.estimator.observe(
          SpecViews.profile(task.task().getSpec()),
          Duration.between(Timestamps.toInstant(task.task().getStartTime()), pass.now));
    }
    if (outcome == TaskState.TASK_STATE_FAILED && task.task().hasGang()) {
      // A distributed job cannot go on without one of its ranks.
      for (TaskEntry sibling : ctx.state.gangMembers(task.task().getGang().getId())) {
        endings.stop(sibling, "gang member " + task.id() + " failed", pass);
      }
    }
  }

  /**
   * Why a task failed, for people: the agent's message led by its machine-readable code (e.g.
   * "CUDA_ERROR_INVALID_PTX: loading the PTX module failed"), or the exit code.
   */
  private static String failureReason(TaskEnded ended) {
    TaskResult result = ended.getResult();
    String code = result.getReasonCode();
    String message = result.getMessage();
    if (message.isEmpty()) {
      String exit = "exited with code " + result.getExitCode();
      return code.isEmpty() ? exit : code + ": " + exit;
    }
    return (code.isEmpty() || message.startsWith(code) ? message : code + ": " + message)
        + exitSuffix(ended);
  }

  /**
   * A preempted task goes back to the queue, to run again (attempt + 1) when there is room. Not a
   * failure: the node's success rate is untouched.
   */
  private void requeueAfterPreemption(TaskEntry task, boolean checkpointed, Pass pass) {
    String why = TaskEndings.stripPrefix(task.task().getReason(), TaskEndings.PREEMPTING);
    NodeEntry node = ctx.state.node(task.nodeId());
    // A broken GPU is not a priority decision: its reason leads with its own code.
    String label = why.startsWith(GpuHealth.UNHEALTHY_CODE + ":") ? "" : "PREEMPTED: ";
    var event =
        task.transition(
            TaskState.TASK_STATE_PENDING,
            label + why + (checkpointed ? " (checkpointed)" : "") + "; waiting to run again",
            pass.now,
            null);
    task.unplace();
    pass.changed(task, event);
    if (node != null) {
      node.release(task.id());
      pass.nodeViewed(node);
    }
    pass.capacityChanged();
  }

  private static String exitSuffix(TaskEnded ended) {
    return ended.getResult().hasExitCode()
        ? " (exit code " + ended.getResult().getExitCode() + ")"
        : "";
  }

  /**
   * Stores the marker of each task whose last second of output ended with lines dropped (at most
   * once a second), and forgets the log budgets of tasks that have ended.
   */
  void markDroppedOutput(Pass pass) {
    logs.sweep(
        pass.now,
        taskId -> ctx.state.task(taskId) != null,
        (taskId, marker) -> {
          TaskEntry task = ctx.state.task(taskId);
          pass.changed(task, task.log(marker));
        });
  }

  void sessionEnded(LoopEvent.SessionEnded e, Pass pass) {
    NodeEntry node = currentSession(e.nodeId(), e.link());
    if (node != null) {
      node.disconnect();
      pass.nodeViewed(node);
      log.info("node {} ({}) disconnected", node.name(), node.id());
    }
  }

  private NodeEntry currentSession(String nodeId, AgentLink link) {
    NodeEntry node = ctx.state.node(nodeId);
    return node != null && node.session() == link ? node : null;
  }

  /**
   * Applies the heartbeat deadlines: a connected node silent past the heartbeat timeout is
   * disconnected (suspect: no new work, its tasks presumed running); one silent past the lost
   * deadline is lost, and its tasks go back to the queue (NODE_LOST) or fail once they have been
   * requeued too often.
   */
  void expireSilentNodes(Pass pass) {
    for (NodeEntry node : ctx.state.nodes()) {
      if (node.isConnected()
          && Duration.between(node.lastHeartbeat(), pass.now).compareTo(ctx.heartbeatTimeout) > 0) {
        log.warn(
            "node {} ({}) sent no heartbeat for {}; closing its session",
            node.name(),
            node.id(),
            ctx.heartbeatTimeout);
        node.session().close("no heartbeat for " + ctx.heartbeatTimeout.toSeconds() + "s");
        node.disconnect();
        pass.nodeViewed(node);
      }
      if (!node.isConnected()
          && !node.isLost()
          && node.lastSeen() != null
          && Duration.between(node.lastSeen(), pass.now).compareTo(ctx.nodeLostAfter) >= 0) {
        declareLost(node, pass);
      }
    }
  }

  private void declareLost(NodeEntry node, Pass pass) {
    log.warn(
        "node {} ({}) silent for {}: lost; requeueing its tasks",
        node.name(),
        node.id(),
        ctx.nodeLostAfter);
    node.markLost();
    pass.nodeViewed(node);
    String why =
        "NODE_LOST: node " + node.name() + " silent for " + ctx.nodeLostAfter.toSeconds() + "s";
    for (TaskEntry task : ctx.state.tasksOn(node.id())) {
      requeueLost(task, node, why, pass);
    }
    pass.capacityChanged();
  }

  /**
   * A placed task whose run is lost with its node (or its agent's memory) goes back to the queue,
   * frees its devices and counts the loss; a task that was being cancelled ends cancelled, one
   * requeued too often for losses fails.
   */
  private void requeueLost(TaskEntry task, NodeEntry node, String why, Pass pass) {
    if (task.task().getCancelRequested()) {
      endings.finish(
          task,
          task.transition(TaskState.TASK_STATE_CANCELLED, "cancelled; " + why, pass.now, null),
          pass);
    } else if (task.task().getLostCount() >= ctx.maxLostRequeues) {
      endings.finish(
          task,
          task.transition(
              TaskState.TASK_STATE_FAILED,
              why + "; requeued " + ctx.maxLostRequeues + " times already, giving up",
              pass.now,
              null),
          pass);
    } else {
      var event =
          task.transition(
              TaskState.TASK_STATE_PENDING,
              why
                  + "; requeued ("
                  + (task.task().getLostCount() + 1)
                  + " of "
                  + ctx.maxLostRequeues
                  + ")",
              pass.now,
              null);
      task.unplace();
      task.countLoss();
      node.release(task.id());
      pass.changed(task, event);
      pass.nodeViewed(node);
    }
  }
}
