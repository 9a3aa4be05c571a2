package io.gpupool.controller.state;

import io.gpupool.controller.core.ClusterSnapshot;
import io.gpupool.controller.core.Gang;
import io.gpupool.controller.core.PendingTask;
import io.gpupool.controller.core.RunningTask;
import io.gpupool.controller.core.RuntimeEstimates;
import io.gpupool.controller.store.NodeRecord;
import io.gpupool.controller.store.StoredState;
import io.gpupool.controller.store.StoredTask;
import io.gpupool.proto.v1.Task;
import io.gpupool.proto.v1.TaskState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;

/**
 * The unfinished tasks and registered nodes. Finished tasks leave memory once stored.
 *
 * <p>Not thread-safe; owned by the scheduling loop.
 */
public final class ClusterState {
  private final Map<String, TaskEntry> activeTasks = new LinkedHashMap<>();
  private final Map<String, NodeEntry> nodes = new TreeMap<>();
  private long lastTaskSequence;

  /** Rebuilds the state from what the store holds. */
  public static ClusterState restore(StoredState stored) {
    ClusterState state = new ClusterState();
    state.lastTaskSequence = stored.maxTaskSequence();
    for (NodeRecord record : stored.nodes()) {
      state.nodes.put(record.node().getId(), new NodeEntry(record));
    }
    for (StoredTask task : stored.activeTasks()) {
      TaskEntry entry = TaskEntry.fromStored(task);
      state.activeTasks.put(entry.id(), entry);
      NodeEntry node = state.nodes.get(entry.nodeId());
      if (node != null) {
        node.hold(entry);
      }
    }
    return state;
  }

  /** The next task sequence number; sequences are never reused. */
  public long nextTaskSequence() {
    return ++lastTaskSequence;
  }

  public TaskEntry task(String id) {
    return activeTasks.get(id);
  }

  public Collection<TaskEntry> activeTasks() {
    return activeTasks.values();
  }

  public void add(TaskEntry task) {
    activeTasks.put(task.id(), task);
  }

  /** Forgets a finished task and frees its GPUs. */
  public void finish(TaskEntry task) {
    activeTasks.remove(task.id());
    NodeEntry node = nodes.get(task.nodeId());
    if (node != null) {
      node.release(task.id());
    }
  }

  public NodeEntry node(String id) {
    return nodes.get(id);
  }

  public Collection<NodeEntry> nodes() {
    return nodes.values();
  }

  public void add(NodeEntry node) {
    nodes.put(node.id(), node);
  }

  /** Unfinished tasks placed on a node. */
  public List<TaskEntry> tasksOn(String nodeId) {
    List<TaskEntry> result = new ArrayList<>();
    for (TaskEntry task : activeTasks.values()) {
      if (task.nodeId().equals(nodeId)) {
        result.add(task);
      }
    }
    return result;
  }

  /** What the scheduling core needs, frozen at {@code now}. */
  public ClusterSnapshot snapshot(Instant now, RuntimeEstimates estimates) {
    List<PendingTask> queue = new ArrayList<>();
    List<RunningTask> running = new ArrayList<>();
    for (TaskEntry task : activeTasks.values()) {
      if (task.state() == TaskState.TASK_STATE_PENDING) {
        queue.add(pendingView(task));
      } else {
        running.add(runningView(task, now));
      }
    }
    return new ClusterSnapshot(
        now,
        nodes.values().stream().map(NodeEntry::toSnapshot).toList(),
        queue,
        running,
        estimates);
  }

  private static PendingTask pendingView(TaskEntry task) {
    Task t = task.task();
    Optional<Gang> gang =
        t.hasGang() && t.getGang().getSize() > 1
            ? Optional.of(
                new Gang(t.getGang().getId(), t.getGang().getRank(), t.getGang().getSize()))
            : Optional.empty();
    return new PendingTask(
        task.id(),
        task.sequence(),
        SpecViews.request(t.getSpec()),
        SpecViews.profile(t.getSpec()),
        Timestamps.toInstant(t.getCreateTime()),
        gang);
  }

  /** A placed task as the core sees it. */
  public static RunningTask runningView(TaskEntry task, Instant now) {
    Task t = task.task();
    Instant placed =
        t.hasStartTime()
            ? Timestamps.toInstant(t.getStartTime())
            : t.getTransitionsList().stream()
                .filter(tr -> tr.getState() == TaskState.TASK_STATE_SCHEDULED)
                .reduce((first, second) -> second)
                .map(tr -> Timestamps.toInstant(tr.getTime()))
                .orElse(now);
    return new RunningTask(
        task.id(),
        task.nodeId(),
        t.getPlacement().getDeviceIndicesList(),
        SpecViews.request(t.getSpec()),
        SpecViews.profile(t.getSpec()),
        placed,
        t.hasProgress() && t.getProgress().hasPercent()
            ? OptionalDouble.of(t.getProgress().getPercent() / 100.0)
            : OptionalDouble.empty(),
        t.getPreemptionRequested());
  }

  /** Unfinished members of a gang, by rank. */
  public List<TaskEntry> gangMembers(String gangId) {
    List<TaskEntry> members = new ArrayList<>();
    for (TaskEntry task : activeTasks.values()) {
      if (task.task().hasGang() && task.task().getGang().getId().equals(gangId)) {
        members.add(task);
      }
    }
    members.sort(java.util.Comparator.comparingInt(t -> t.task().getGang().getRank()));
    return members;
  }
}
