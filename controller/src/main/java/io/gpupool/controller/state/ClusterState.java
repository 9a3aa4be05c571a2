package io.gpupool.controller.state;

import io.gpupool.controller.core.ClusterSnapshot;
import io.gpupool.controller.core.PendingTask;
import io.gpupool.controller.core.ResourceRequest;
import io.gpupool.controller.store.NodeRecord;
import io.gpupool.controller.store.StoredState;
import io.gpupool.controller.store.StoredTask;
import io.gpupool.proto.v1.TaskState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
        node.allocate(task.task().getPlacement().getDeviceIndicesList(), entry.id());
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
  public ClusterSnapshot snapshot(Instant now) {
    List<PendingTask> queue = new ArrayList<>();
    for (TaskEntry task : activeTasks.values()) {
      if (task.state() == TaskState.TASK_STATE_PENDING) {
        var resources = task.task().getSpec().getResources();
        queue.add(
            new PendingTask(
                task.id(),
                task.sequence(),
                new ResourceRequest(resources.getGpus(), resources.getGpuModel()),
                Timestamps.toInstant(task.task().getCreateTime())));
      }
    }
    return new ClusterSnapshot(
        now, nodes.values().stream().map(NodeEntry::toSnapshot).toList(), queue);
  }
}
