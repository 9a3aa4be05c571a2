package io.gpupool.controller.loop;

import io.gpupool.controller.core.ExpectedEnd;
import io.gpupool.controller.core.Plan;
import io.gpupool.controller.core.Preemption;
import io.gpupool.controller.core.Reservation;
import io.gpupool.controller.core.RuntimeEstimator;
import io.gpupool.controller.core.SchedulingPolicy;
import io.gpupool.controller.error.ControllerException;
import io.gpupool.controller.error.ErrorKind;
import io.gpupool.controller.state.AgentLink;
import io.gpupool.controller.state.ClusterState;
import io.gpupool.controller.state.Credentials;
import io.gpupool.controller.state.NodeEntry;
import io.gpupool.controller.state.SpecViews;
import io.gpupool.controller.state.TaskEntry;
import io.gpupool.controller.state.TaskLifecycle;
import io.gpupool.controller.state.Timestamps;
import io.gpupool.controller.store.NodeRecord;
import io.gpupool.controller.store.Store;
import io.gpupool.controller.watch.TaskEventBus;
import io.gpupool.proto.v1.CancelTaskCommand;
import io.gpupool.proto.v1.ConnectResponse;
import io.gpupool.proto.v1.DeviceInfo;
import io.gpupool.proto.v1.GangMembership;
import io.gpupool.proto.v1.Gpu;
import io.gpupool.proto.v1.HelloAccepted;
import io.gpupool.proto.v1.LogLine;
import io.gpupool.proto.v1.Node;
import io.gpupool.proto.v1.Placement;
import io.gpupool.proto.v1.PreemptTaskCommand;
import io.gpupool.proto.v1.Progress;
import io.gpupool.proto.v1.RegisterRequest;
import io.gpupool.proto.v1.StartTask;
import io.gpupool.proto.v1.Task;
import io.gpupool.proto.v1.TaskEnded;
import io.gpupool.proto.v1.TaskState;
import io.gpupool.proto.v1.TaskUpdate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single writer of the cluster state: applies queued events, schedules, commits, then acts.
 *
 * <p>{@link #offer} is thread-safe and never blocks. Everything else runs on one thread: {@link
 * LoopThread} in the controller, the test itself in unit tests (call {@link #runOnce()} to step).
 * If the store fails, the pass is lost as a whole: callers get UNAVAILABLE, agent sessions are
 * closed (agents reconnect and resend what was not acknowledged) and the state is reloaded.
 */
public final class SchedulerLoop {
  private static final Logger log = LoggerFactory.getLogger(SchedulerLoop.class);
  private static final Duration DEFAULT_KILL_GRACE = Duration.ofSeconds(10);
  private static final int GANG_BASE_PORT = 29500;
  private static final int GANG_PORT_RANGE = 1000;

  private final Clock clock;
  private final Store store;
  private final SchedulingPolicy policy;
  private final TaskEventBus bus;
  private final NodeDirectory directory;
  private final Duration heartbeatTimeout;
  private final Duration preemptionNotice;
  private final LinkedBlockingQueue<LoopEvent> inbox = new LinkedBlockingQueue<>();
  private final RuntimeEstimator estimator = new RuntimeEstimator();
  private ClusterState state;
  private boolean firstPass = true;
  private volatile boolean closed;

  public SchedulerLoop(
      Clock clock,
      Store store,
      SchedulingPolicy policy,
      TaskEventBus bus,
      NodeDirectory directory,
      LoopSettings settings) {
    this.clock = clock;
    this.store = store;
    this.policy = policy;
    this.bus = bus;
    this.directory = directory;
    this.heartbeatTimeout = settings.heartbeatTimeout();
    this.preemptionNotice = settings.preemptionNotice();
    this.state = ClusterState.restore(store.load());
    state.nodes().forEach(node -> directory.put(node.toView()));
  }

  /** Queues an event for the next pass. After {@link #close()}, replies fail with UNAVAILABLE. */
  public void offer(LoopEvent event) {
    if (closed) {
      rejectClosed(event);
      return;
    }
    inbox.add(event);
  }

  /** Runs one pass over whatever is queued now, without waiting. */
  public void runOnce() {
    List<LoopEvent> events = new ArrayList<>();
    inbox.drainTo(events);
    runPass(events);
  }

  /** Waits up to {@code maxWait} for an event, then runs one pass over everything queued. */
  public void runOnce(Duration maxWait) throws InterruptedException {
    List<LoopEvent> events = new ArrayList<>();
    LoopEvent first = inbox.poll(maxWait.toNanos(), TimeUnit.NANOSECONDS);
    if (first != null) {
      events.add(first);
    }
    inbox.drainTo(events);
    runPass(events);
  }

  /** Stops accepting events and fails the queued ones with UNAVAILABLE. */
  public void close() {
    closed = true;
    List<LoopEvent> rest = new ArrayList<>();
    inbox.drainTo(rest);
    rest.forEach(SchedulerLoop::rejectClosed);
  }

  private void runPass(List<LoopEvent> events) {
    Pass pass = new Pass(clock.instant());
    for (LoopEvent event : events) {
      apply(event, pass);
    }
    expireSilentNodes(pass);
    if (pass.isCapacityChanged() || firstPass) {
      schedule(pass);
      firstPass = false;
    }
    try {
      store.commit(pass.changes());
    } catch (RuntimeException e) {
      log.error("storing a scheduling pass failed; reloading state from the store", e);
      pass.failed();
      recoverFromStoreFailure();
      return;
    }
    bus.publish(pass.events());
    pass.viewedNodes().forEach(node -> directory.put(node.toView()));
    pass.committed();
  }

  private void apply(LoopEvent event, Pass pass) {
    try {
      if (event instanceof LoopEvent.Submit e) {
        submit(e, pass);
      } else if (event instanceof LoopEvent.Cancel e) {
        cancel(e, pass);
      } else if (event instanceof LoopEvent.Cordon e) {
        cordon(e, pass);
      } else if (event instanceof LoopEvent.Register e) {
        register(e, pass);
      } else if (event instanceof LoopEvent.Hello e) {
        hello(e, pass);
      } else if (event instanceof LoopEvent.HeartbeatReceived e) {
        heartbeat(e, pass);
      } else if (event instanceof LoopEvent.UpdateReceived e) {
        update(e, pass);
      } else if (event instanceof LoopEvent.SessionEnded e) {
        sessionEnded(e, pass);
      }
    } catch (ControllerException e) {
      fail(event, e);
    }
  }

  // ---- clients ----

  private void submit(LoopEvent.Submit e, Pass pass) {
    String requestId = e.requestId();
    if (!requestId.isEmpty()) {
      Optional<Task> existing = findSubmitted(requestId, pass);
      if (existing.isPresent()) {
        Task task = existing.get();
        if (!task.getSpec().equals(e.spec())) {
          throw ControllerException.invalid(
              "request_id: '"
                  + requestId
                  + "' was already used by task "
                  + task.getId()
                  + " with a different spec");
        }
        replyAfterCommit(pass, e.reply(), () -> latestGang(task));
        return;
      }
    }
    int size = Math.max(1, e.spec().getGangSize());
    List<TaskEntry> members = new ArrayList<>(size);
    for (int rank = 0; rank < size; rank++) {
      long sequence = state.nextTaskSequence();
      Task.Builder task =
          Task.newBuilder()
              .setId("t-" + sequence)
              .setSpec(e.spec())
              .setCreateTime(Timestamps.of(pass.now));
      if (rank == 0) {
        task.setRequestId(requestId);
      }
      if (size > 1) {
        String gangId = rank == 0 ? task.getId() : members.get(0).id();
        task.setGang(GangMembership.newBuilder().setId(gangId).setRank(rank).setSize(size));
      }
      TaskEntry entry = new TaskEntry(sequence, task.build(), 0);
      var event =
          entry.transition(
              TaskState.TASK_STATE_PENDING, "waiting for the scheduler", pass.now, null);
      state.add(entry);
      pass.created(entry, event);
      members.add(entry);
    }
    replyAfterCommit(pass, e.reply(), () -> members.stream().map(TaskEntry::task).toList());
  }

  /**
   * A task and, for a gang, its fellow members (their ids follow the rank-0 task's, as submit
   * numbers them), each in its newest version.
   */
  private List<Task> latestGang(Task task) {
    if (!task.hasGang() || task.getGang().getSize() <= 1) {
      return List.of(latest(task));
    }
    long first = Long.parseLong(task.getId().substring("t-".length()));
    List<Task> members = new ArrayList<>();
    for (int rank = 0; rank < task.getGang().getSize(); rank++) {
      String id = "t-" + (first + rank);
      TaskEntry active = state.task(id);
      members.add(active != null ? active.task() : store.findTask(id).orElseThrow());
    }
    return members;
  }

  private Optional<Task> findSubmitted(String requestId, Pass pass) {
    TaskEntry inPass = pass.submittedInThisPass(requestId);
    if (inPass != null) {
      return Optional.of(inPass.task());
    }
    return store.findTaskByRequestId(requestId);
  }

  /** The newest version of a task: in memory while unfinished, else as given. */
  private Task latest(Task task) {
    TaskEntry active = state.task(task.getId());
    return active == null ? task : active.task();
  }

  private void cancel(LoopEvent.Cancel e, Pass pass) {
    TaskEntry entry = state.task(e.taskId());
    if (entry == null) {
      TaskEntry endedNow = pass.finishedInThisPass(e.taskId());
      Task ended =
          endedNow != null
              ? endedNow.task()
              : store
                  .findTask(e.taskId())
                  .orElseThrow(
                      () -> ControllerException.notFound("task " + e.taskId() + " not found"));
      throw ControllerException.failedPrecondition(
          "task " + ended.getId() + " already ended (" + StateNames.of(ended.getState()) + ")");
    }
    List<TaskEntry> targets =
        entry.task().hasGang() ? state.gangMembers(entry.task().getGang().getId()) : List.of(entry);
    String reason =
        targets.size() > 1
            ? "cancelled by user (gang " + entry.task().getGang().getId() + ")"
            : "cancelled by user";
    for (TaskEntry target : targets) {
      stop(target, reason, pass);
    }
    replyAfterCommit(pass, e.reply(), entry::task);
  }

  /**
   * Cancels an unfinished task: a pending one ends now, a placed one is asked to stop and ends when
   * its agent reports back.
   */
  private void stop(TaskEntry task, String reason, Pass pass) {
    if (task.state() == TaskState.TASK_STATE_PENDING) {
      finish(
          task,
          task.transition(
              TaskState.TASK_STATE_CANCELLED, reason + " before it started", pass.now, null),
          pass);
    } else if (!task.task().getCancelRequested()) {
      task.requestCancel(reason + "; stopping the workload");
      pass.changed(task, null);
      NodeEntry node = state.node(task.nodeId());
      if (node != null && node.isConnected()) {
        pass.send(node.session(), cancelCommand(task));
      }
    }
  }

  private void cordon(LoopEvent.Cordon e, Pass pass) {
    NodeEntry node = state.node(e.node());
    if (node == null) {
      node =
          state.nodes().stream()
              .filter(n -> n.name().equals(e.node()))
              .findFirst()
              .orElseThrow(() -> ControllerException.notFound("node " + e.node() + " not found"));
    }
    if (node.isCordoned() != e.cordoned()) {
      node.cordon(e.cordoned());
      pass.nodeStored(node);
      pass.capacityChanged();
      log.info("node {} ({}) {}", node.name(), node.id(), e.cordoned() ? "cordoned" : "uncordoned");
    }
    NodeEntry result = node;
    replyAfterCommit(pass, e.reply(), result::toView);
  }

  // ---- agents ----

  private void register(LoopEvent.Register e, Pass pass) {
    RegisterRequest request = e.request();
    Node.Builder registration =
        Node.newBuilder()
            .setId(request.getNodeId())
            .setName(request.getNodeName())
            .setRegisterTime(Timestamps.of(pass.now))
            .setAgentVersion(request.getAgentVersion())
            .putAllLabels(request.getLabelsMap());
    for (DeviceInfo device : request.getDevicesList()) {
      registration.addGpus(Gpu.newBuilder().setInfo(device));
    }
    NodeEntry node = state.node(request.getNodeId());
    if (node == null) {
      node = new NodeEntry(new NodeRecord(registration.build(), e.credentialHash(), "", 0));
      state.add(node);
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
    replyAfterCommit(pass, e.reply(), () -> null);
  }

  private void hello(LoopEvent.Hello e, Pass pass) {
    String nodeId = e.hello().getNodeId();
    NodeEntry node = state.node(nodeId);
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
    replyAfterCommit(pass, e.reply(), () -> null);
    log.info("node {} ({}) connected", node.name(), node.id());
  }

  /** Brings the node's tasks in line with what its agent says it knows after a (re)connect. */
  private void reconcile(NodeEntry node, Set<String> known, Pass pass) {
    for (TaskEntry task : state.tasksOn(node.id())) {
      boolean agentKnows = known.contains(task.id());
      if (agentKnows) {
        if (task.task().getCancelRequested()) {
          pass.send(node.session(), cancelCommand(task));
        } else if (task.task().getPreemptionRequested()) {
          pass.send(
              node.session(),
              preemptCommand(task, stripPrefix(task.task().getReason(), PREEMPTING)));
        }
      } else if (task.state() == TaskState.TASK_STATE_SCHEDULED) {
        if (task.task().getCancelRequested()) {
          finish(
              task,
              task.transition(
                  TaskState.TASK_STATE_CANCELLED, "cancelled before it started", pass.now, null),
              pass);
        } else {
          pass.send(node.session(), startCommand(task, controllerEnvironment(task)));
        }
      } else if (task.state() == TaskState.TASK_STATE_RUNNING) {
        finish(
            task,
            task.transition(
                TaskState.TASK_STATE_FAILED,
                "lost: the agent on " + node.name() + " no longer runs it (agent restarted)",
                pass.now,
                null),
            pass);
      }
    }
  }

  private void heartbeat(LoopEvent.HeartbeatReceived e, Pass pass) {
    NodeEntry node = currentSession(e.nodeId(), e.link());
    if (node == null) {
      return;
    }
    boolean healthBefore = allHealthy(node);
    node.heartbeat(e.heartbeat().getDevicesList(), pass.now);
    if (allHealthy(node) != healthBefore) {
      pass.capacityChanged();
    }
    pass.nodeViewed(node);
  }

  private static boolean allHealthy(NodeEntry node) {
    return node.toSnapshot().devices().stream().allMatch(d -> d.healthy());
  }

  private void update(LoopEvent.UpdateReceived e, Pass pass) {
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
    TaskEntry task = state.task(update.getTaskId());
    if (task == null || !task.nodeId().equals(node.id())) {
      log.debug(
          "ignoring update {} for task {} not running on {}",
          update.getUpdateId(),
          update.getTaskId(),
          node.id());
      return;
    }
    switch (update.getKindCase()) {
      case STARTED -> started(task, node, pass);
      case LOGS -> {
        for (LogLine line : update.getLogs().getLinesList()) {
          pass.changed(task, task.log(line));
        }
      }
      case PROGRESS -> progressed(task, update.getProgress(), pass);
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
              : "running on " + node.name() + " (GPU " + devices(task) + ")";
      pass.changed(task, task.transition(TaskState.TASK_STATE_RUNNING, reason, pass.now, null));
      estimator
          .estimate(SpecViews.profile(task.task().getSpec()))
          .ifPresent(estimate -> task.expectEnd(pass.now.plus(estimate)));
    }
  }

  private void progressed(TaskEntry task, Progress progress, Pass pass) {
    pass.changed(task, task.progress(progress));
    ExpectedEnd.of(ClusterState.runningView(task, pass.now), pass.now, estimator)
        .ifPresent(task::expectEnd);
  }

  private void ended(TaskEntry task, TaskEnded ended, Pass pass) {
    var result = ended.getResult();
    boolean checkpointed = result.getMessage().contains("(checkpointed)");
    boolean finishedAnyway = result.hasExitCode() && result.getExitCode() == 0 && !checkpointed;
    if (ended.getPreempted() && !ended.getCancelled() && !finishedAnyway) {
      requeueAfterPreemption(task, checkpointed, pass);
      return;
    }
    TaskState outcome;
    String reason;
    if (ended.getCancelled()) {
      outcome = TaskState.TASK_STATE_CANCELLED;
      reason = stripSuffix(task.task().getReason(), STOPPING) + exitSuffix(ended);
    } else if (result.hasExitCode() && result.getExitCode() == 0) {
      outcome = TaskState.TASK_STATE_SUCCEEDED;
      reason = "exited with code 0";
    } else {
      outcome = TaskState.TASK_STATE_FAILED;
      reason =
          result.getMessage().isEmpty()
              ? "exited with code " + result.getExitCode()
              : result.getMessage() + exitSuffix(ended);
    }
    if (!TaskLifecycle.allows(task.state(), outcome)) {
      // The agent reports "ended" only after "started", except when the process never started;
      // a clean exit without a start update still ran, so record the run first.
      pass.changed(task, task.transition(TaskState.TASK_STATE_RUNNING, "started", pass.now, null));
    }
    NodeEntry node = state.node(task.nodeId());
    if (node != null && outcome != TaskState.TASK_STATE_CANCELLED) {
      node.recordOutcome(outcome == TaskState.TASK_STATE_SUCCEEDED);
    }
    finish(task, task.transition(outcome, reason, pass.now, result), pass);
    if (outcome == TaskState.TASK_STATE_SUCCEEDED && task.task().hasStartTime()) {
      estimator.observe(
          SpecViews.profile(task.task().getSpec()),
          Duration.between(Timestamps.toInstant(task.task().getStartTime()), pass.now));
    }
    if (outcome == TaskState.TASK_STATE_FAILED && task.task().hasGang()) {
      // A distributed job cannot go on without one of its ranks.
      for (TaskEntry sibling : state.gangMembers(task.task().getGang().getId())) {
        stop(sibling, "gang member " + task.id() + " failed", pass);
      }
    }
  }

  /** A preempted task goes back to the queue, to run again (attempt + 1) when there is room. */
  private void requeueAfterPreemption(TaskEntry task, boolean checkpointed, Pass pass) {
    String why = stripPrefix(task.task().getReason(), PREEMPTING);
    NodeEntry node = state.node(task.nodeId());
    var event =
        task.transition(
            TaskState.TASK_STATE_PENDING,
            "PREEMPTED: "
                + why
                + (checkpointed ? " (checkpointed)" : "")
                + "; waiting to run again",
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

  private static final String STOPPING = "; stopping the workload";
  private static final String PREEMPTING = "preempting: ";

  private static String stripSuffix(String text, String suffix) {
    return text.endsWith(suffix) ? text.substring(0, text.length() - suffix.length()) : text;
  }

  private static String stripPrefix(String text, String prefix) {
    return text.startsWith(prefix) ? text.substring(prefix.length()) : text;
  }

  private static String exitSuffix(TaskEnded ended) {
    return ended.getResult().hasExitCode()
        ? " (exit code " + ended.getResult().getExitCode() + ")"
        : "";
  }

  private void sessionEnded(LoopEvent.SessionEnded e, Pass pass) {
    NodeEntry node = currentSession(e.nodeId(), e.link());
    if (node != null) {
      node.disconnect();
      pass.nodeViewed(node);
      log.info("node {} ({}) disconnected", node.name(), node.id());
    }
  }

  private NodeEntry currentSession(String nodeId, AgentLink link) {
    NodeEntry node = state.node(nodeId);
    return node != null && node.session() == link ? node : null;
  }

  private void expireSilentNodes(Pass pass) {
    for (NodeEntry node : state.nodes()) {
      if (node.isConnected()
          && Duration.between(node.lastHeartbeat(), pass.now).compareTo(heartbeatTimeout) > 0) {
        log.warn(
            "node {} ({}) sent no heartbeat for {}; closing its session",
            node.name(),
            node.id(),
            heartbeatTimeout);
        node.session().close("no heartbeat for " + heartbeatTimeout.toSeconds() + "s");
        node.disconnect();
        pass.nodeViewed(node);
      }
    }
  }

  // ---- scheduling ----

  private void schedule(Pass pass) {
    Plan plan = policy.schedule(state.snapshot(pass.now, estimator));
    for (var placement : plan.placements()) {
      place(placement, pass);
    }
    for (Preemption preemption : plan.preemptions()) {
      preempt(preemption, pass);
    }
    plan.waiting()
        .forEach(
            (taskId, reason) -> {
              TaskEntry task = state.task(taskId);
              if (task.explain(reason)) {
                pass.changed(task, null);
              }
            });
    Map<String, Instant> expectedStarts = new HashMap<>();
    for (Reservation reservation : plan.reservations()) {
      reservation.expectedStart().ifPresent(at -> expectedStarts.put(reservation.taskId(), at));
    }
    for (String taskId : plan.waiting().keySet()) {
      TaskEntry task = state.task(taskId);
      if (task.expectStart(expectedStarts.get(taskId))) {
        pass.changed(task, null);
      }
    }
  }

  private void place(io.gpupool.controller.core.Placement placement, Pass pass) {
    TaskEntry task = state.task(placement.taskId());
    NodeEntry node = state.node(placement.nodeId());
    Placement.Builder where =
        Placement.newBuilder()
            .setNodeId(node.id())
            .setNodeName(node.name())
            .addAllDeviceIndices(placement.deviceIndices());
    for (int index : placement.deviceIndices()) {
      where.addDeviceUuids(node.device(index).getUuid());
    }
    task.place(where.build());
    node.hold(task);
    var event =
        task.transition(
            TaskState.TASK_STATE_SCHEDULED,
            "placed on " + node.name() + " (GPU " + devices(task) + ")",
            pass.now,
            null);
    pass.changed(task, event);
    pass.nodeViewed(node);
    pass.send(node.session(), startCommand(task, controllerEnvironment(task)));
  }

  /**
   * What a gang member needs to find its peers, as torch.distributed and friends expect it: its
   * rank, the gang's size, and rank 0's host with a port derived from the gang id.
   */
  private Map<String, String> controllerEnvironment(TaskEntry task) {
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
    TaskEntry leader = state.task(gang.getId());
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
    TaskEntry victim = state.task(preemption.victimId());
    List<TaskEntry> targets =
        victim.task().hasGang()
            ? state.gangMembers(victim.task().getGang().getId())
            : List.of(victim);
    for (TaskEntry target : targets) {
      if (target.state() == TaskState.TASK_STATE_PENDING
          || target.task().getPreemptionRequested()
          || target.task().getCancelRequested()) {
        continue;
      }
      target.requestPreemption(PREEMPTING + preemption.reason());
      pass.changed(target, null);
      NodeEntry node = state.node(target.nodeId());
      if (node != null && node.isConnected()) {
        pass.send(node.session(), preemptCommand(target, preemption.reason()));
      }
    }
  }

  // ---- helpers ----

  private void finish(TaskEntry task, io.gpupool.proto.v1.TaskEvent event, Pass pass) {
    pass.changed(task, event);
    NodeEntry node = state.node(task.nodeId());
    state.finish(task);
    pass.finished(task);
    if (node != null) {
      pass.nodeViewed(node);
    }
  }

  private static String devices(TaskEntry task) {
    return task.task().getPlacement().getDeviceIndicesList().stream()
        .map(String::valueOf)
        .collect(Collectors.joining(","));
  }

  private static ConnectResponse startCommand(TaskEntry task, Map<String, String> env) {
    return ConnectResponse.newBuilder()
        .setStartTask(
            StartTask.newBuilder()
                .setTaskId(task.id())
                .setSpec(task.task().getSpec())
                .addAllDeviceIndices(task.task().getPlacement().getDeviceIndicesList())
                .setAttempt(task.task().getAttempt())
                .putAllEnv(env))
        .build();
  }

  private ConnectResponse preemptCommand(TaskEntry task, String reason) {
    return ConnectResponse.newBuilder()
        .setPreemptTask(
            PreemptTaskCommand.newBuilder()
                .setTaskId(task.id())
                .setReason(reason)
                .setNoticePeriod(
                    com.google.protobuf.Duration.newBuilder()
                        .setSeconds(preemptionNotice.toSeconds())))
        .build();
  }

  private static ConnectResponse cancelCommand(TaskEntry task) {
    var spec = task.task().getSpec();
    var grace =
        spec.hasKillGracePeriod()
            ? spec.getKillGracePeriod()
            : com.google.protobuf.Duration.newBuilder()
                .setSeconds(DEFAULT_KILL_GRACE.toSeconds())
                .build();
    return ConnectResponse.newBuilder()
        .setCancelTask(CancelTaskCommand.newBuilder().setTaskId(task.id()).setGracePeriod(grace))
        .build();
  }

  private static <T> void replyAfterCommit(
      Pass pass, CompletableFuture<T> reply, Supplier<T> value) {
    pass.afterCommit(() -> reply.complete(value.get()));
    pass.onFailure(
        () ->
            reply.completeExceptionally(
                new ControllerException(
                    ErrorKind.UNAVAILABLE, "the controller could not store the change; retry")));
  }

  private static void fail(LoopEvent event, ControllerException error) {
    CompletableFuture<?> reply = replyOf(event);
    if (reply != null) {
      reply.completeExceptionally(error);
    }
  }

  private static void rejectClosed(LoopEvent event) {
    fail(event, new ControllerException(ErrorKind.UNAVAILABLE, "the controller is shutting down"));
  }

  private static CompletableFuture<?> replyOf(LoopEvent event) {
    if (event instanceof LoopEvent.Submit e) {
      return e.reply();
    } else if (event instanceof LoopEvent.Cancel e) {
      return e.reply();
    } else if (event instanceof LoopEvent.Cordon e) {
      return e.reply();
    } else if (event instanceof LoopEvent.Register e) {
      return e.reply();
    } else if (event instanceof LoopEvent.Hello e) {
      return e.reply();
    }
    return null;
  }

  private void recoverFromStoreFailure() {
    for (NodeEntry node : state.nodes()) {
      if (node.isConnected()) {
        node.session().close("the controller is recovering from a store failure");
      }
    }
    try {
      state = ClusterState.restore(store.load());
      state.nodes().forEach(node -> directory.put(node.toView()));
      firstPass = true;
    } catch (RuntimeException e) {
      log.error("reloading state failed; will retry on the next pass", e);
    }
  }

  /** Status words for messages: RUNNING rather than TASK_STATE_RUNNING. */
  static final class StateNames {
    private StateNames() {}

    static String of(TaskState state) {
      return state.name().substring("TASK_STATE_".length());
    }
  }
}
