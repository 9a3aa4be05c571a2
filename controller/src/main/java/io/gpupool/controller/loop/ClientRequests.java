package io.gpupool.controller.loop;

import io.gpupool.controller.error.ControllerException;
import io.gpupool.controller.state.NodeEntry;
import io.gpupool.controller.state.TaskEntry;
import io.gpupool.controller.state.Timestamps;
import io.gpupool.proto.v1.GangMembership;
import io.gpupool.proto.v1.Task;
import io.gpupool.proto.v1.TaskState;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What clients ask of the loop: submits (tasks and gangs, idempotent), cancels, cordons, ending GPU
 * quarantines.
 */
final class ClientRequests {
  private static final Logger log = LoggerFactory.getLogger(ClientRequests.class);

  private final LoopContext ctx;
  private final TaskEndings endings;

  ClientRequests(LoopContext ctx, TaskEndings endings) {
    this.ctx = ctx;
    this.endings = endings;
  }

  void submit(LoopEvent.Submit e, Pass pass) {
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
        Replies.afterCommit(pass, e.reply(), () -> latestGang(task));
        return;
      }
    }
    int size = Math.max(1, e.spec().getGangSize());
    List<TaskEntry> members = new ArrayList<>(size);
    for (int rank = 0; rank < size; rank++) {
      long sequence = ctx.state.nextTaskSequence();
      Task.Builder task =
          Task.newBuilder()
              .setId("t-" + sequence)
              .setSpec(e.spec())
              .setSubmittedBy(e.submittedBy())
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
      ctx.state.add(entry);
      pass.created(entry, event);
      members.add(entry);
    }
    ctx.metrics.submits.mark();
    Replies.afterCommit(pass, e.reply(), () -> members.stream().map(TaskEntry::task).toList());
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
      TaskEntry active = ctx.state.task(id);
      members.add(active != null ? active.task() : ctx.store.findTask(id).orElseThrow());
    }
    return members;
  }

  private Optional<Task> findSubmitted(String requestId, Pass pass) {
    TaskEntry inPass = pass.submittedInThisPass(requestId);
    if (inPass != null) {
      return Optional.of(inPass.task());
    }
    return ctx.store.findTaskByRequestId(requestId);
  }

  /** The newest version of a task: in memory while unfinished, else as given. */
  private Task latest(Task task) {
    TaskEntry active = ctx.state.task(task.getId());
    return active == null ? task : active.task();
  }

  void cancel(LoopEvent.Cancel e, Pass pass) {
    TaskEntry entry = ctx.state.task(e.taskId());
    if (entry == null) {
      TaskEntry endedNow = pass.finishedInThisPass(e.taskId());
      Task ended =
          endedNow != null
              ? endedNow.task()
              : ctx.store
                  .findTask(e.taskId())
                  .orElseThrow(
                      () -> ControllerException.notFound("task " + e.taskId() + " not found"));
      throw ControllerException.failedPrecondition(
          "task " + ended.getId() + " already ended (" + StateNames.of(ended.getState()) + ")");
    }
    List<TaskEntry> targets =
        entry.task().hasGang()
            ? ctx.state.gangMembers(entry.task().getGang().getId())
            : List.of(entry);
    String reason =
        targets.size() > 1
            ? "cancelled by user (gang " + entry.task().getGang().getId() + ")"
            : "cancelled by user";
    for (TaskEntry target : targets) {
      endings.stop(target, reason, pass);
    }
    Replies.afterCommit(pass, e.reply(), entry::task);
  }

  void cordon(LoopEvent.Cordon e, Pass pass) {
    NodeEntry node = findNode(e.node());
    if (node.isCordoned() != e.cordoned()) {
      node.cordon(e.cordoned());
      pass.nodeStored(node);
      pass.capacityChanged();
      log.info("node {} ({}) {}", node.name(), node.id(), e.cordoned() ? "cordoned" : "uncordoned");
    }
    NodeEntry result = node;
    Replies.afterCommit(pass, e.reply(), result::toView);
  }

  /**
   * Ends a GPU's quarantine on an admin's word. The scheduler may place work on it in this very
   * pass; if the agent still reports it unhealthy, the next sample quarantines it again.
   */
  void clearQuarantine(LoopEvent.ClearQuarantine e, Pass pass) {
    NodeEntry node = findNode(e.node());
    if (!node.hasDevice(e.deviceIndex())) {
      throw ControllerException.notFound(
          "node " + node.name() + " has no GPU with index " + e.deviceIndex());
    }
    String reason =
        node.quarantine(e.deviceIndex())
            .orElseThrow(
                () ->
                    ControllerException.failedPrecondition(
                        "GPU " + e.deviceIndex() + " on " + node.name() + " is not quarantined"))
            .getReason();
    node.clearQuarantine(e.deviceIndex());
    pass.nodeStored(node);
    pass.capacityChanged();
    log.info(
        "quarantine of GPU {} on {} ({}) cleared by an admin; it was: {}",
        e.deviceIndex(),
        node.name(),
        node.id(),
        reason);
    Replies.afterCommit(pass, e.reply(), node::toView);
  }

  /** The node with this id, else the first with this name. */
  private NodeEntry findNode(String idOrName) {
    NodeEntry node = ctx.state.node(idOrName);
    if (node != null) {
      return node;
    }
    return ctx.state.nodes().stream()
        .filter(n -> n.name().equals(idOrName))
        .findFirst()
        .orElseThrow(() -> ControllerException.notFound("node " + idOrName + " not found"));
  }

  /** Status words for messages: RUNNING rather than TASK_STATE_RUNNING. */
  static final class StateNames {
    private StateNames() {}

    static String of(TaskState state) {
      return state.name().substring("TASK_STATE_".length());
    }
  }
}
