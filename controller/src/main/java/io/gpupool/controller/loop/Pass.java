package io.gpupool.controller.loop;

import io.gpupool.controller.state.AgentLink;
import io.gpupool.controller.state.NodeEntry;
import io.gpupool.controller.state.TaskEntry;
import io.gpupool.controller.store.Changes;
import io.gpupool.proto.v1.ConnectResponse;
import io.gpupool.proto.v1.TaskEvent;
import io.gpupool.proto.v1.UpdateAck;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one pass of the loop changed and what it must do once the changes are durable.
 *
 * <p>Not thread-safe; lives on the loop thread for one pass.
 */
final class Pass {
  final Instant now;
  private final Set<TaskEntry> newTasks = new HashSet<>();
  private final Set<TaskEntry> changedTasks = new LinkedHashSet<>();
  private final Map<String, TaskEntry> finishedTasks = new HashMap<>();
  private final Map<String, TaskEntry> submittedByRequestId = new HashMap<>();
  private final List<TaskEvent> events = new ArrayList<>();
  private final Set<NodeEntry> storedNodes = new LinkedHashSet<>();
  private final Set<NodeEntry> viewedNodes = new LinkedHashSet<>();
  private final Map<AgentLink, Long> acks = new LinkedHashMap<>();
  private final List<Runnable> afterCommit = new ArrayList<>();
  private final List<Runnable> onFailure = new ArrayList<>();
  private boolean capacityChanged;

  Pass(Instant now) {
    this.now = now;
  }

  void created(TaskEntry task, TaskEvent firstEvent) {
    newTasks.add(task);
    changed(task, firstEvent);
    String requestId = task.task().getRequestId();
    if (!requestId.isEmpty()) {
      submittedByRequestId.put(requestId, task);
    }
    capacityChanged = true;
  }

  TaskEntry submittedInThisPass(String requestId) {
    return submittedByRequestId.get(requestId);
  }

  /** Records that a task changed, with the event it added (or null). */
  void changed(TaskEntry task, TaskEvent event) {
    changedTasks.add(task);
    if (event != null) {
      events.add(event);
    }
  }

  void finished(TaskEntry task) {
    finishedTasks.put(task.id(), task);
    capacityChanged = true;
  }

  /** A task that ended during this pass (no longer in the state, not yet in the store). */
  TaskEntry finishedInThisPass(String taskId) {
    return finishedTasks.get(taskId);
  }

  /** The node's durable record changed (and so did its view). */
  void nodeStored(NodeEntry node) {
    storedNodes.add(node);
    viewedNodes.add(node);
  }

  /** Only the node's live view changed (telemetry, liveness, allocations). */
  void nodeViewed(NodeEntry node) {
    viewedNodes.add(node);
  }

  void capacityChanged() {
    capacityChanged = true;
  }

  boolean isCapacityChanged() {
    return capacityChanged;
  }

  void ack(AgentLink link, long updateId) {
    acks.merge(link, updateId, Math::max);
  }

  void send(AgentLink link, ConnectResponse message) {
    if (link != null) {
      afterCommit.add(() -> link.send(message));
    }
  }

  void afterCommit(Runnable action) {
    afterCommit.add(action);
  }

  void onFailure(Runnable action) {
    onFailure.add(action);
  }

  Changes changes() {
    Changes changes = new Changes();
    for (TaskEntry task : changedTasks) {
      if (newTasks.contains(task)) {
        changes.insert(task.toStored());
      } else {
        changes.update(task.toStored());
      }
    }
    events.forEach(changes::append);
    storedNodes.forEach(node -> changes.upsert(node.toRecord()));
    return changes;
  }

  List<TaskEvent> events() {
    return events;
  }

  Set<NodeEntry> viewedNodes() {
    return viewedNodes;
  }

  /** Runs once the pass is durable: acknowledgements first, then commands and replies in order. */
  void committed() {
    acks.forEach(
        (link, id) ->
            link.send(
                ConnectResponse.newBuilder()
                    .setAck(UpdateAck.newBuilder().setUpdateId(id))
                    .build()));
    afterCommit.forEach(Runnable::run);
  }

  /** Runs when the pass could not be stored: every caller hears about it. */
  void failed() {
    onFailure.forEach(Runnable::run);
  }
}
