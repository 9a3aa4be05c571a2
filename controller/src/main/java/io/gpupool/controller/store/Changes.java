package io.gpupool.controller.store;

import io.gpupool.proto.v1.TaskEvent;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one pass of the scheduling loop changed, committed in one transaction.
 *
 * <p>Not thread-safe: filled by the loop thread, then handed to {@link Store#commit}.
 */
public final class Changes {
  private final Map<String, StoredTask> insertedTasks = new LinkedHashMap<>();
  private final Map<String, StoredTask> updatedTasks = new LinkedHashMap<>();
  private final List<TaskEvent> events = new ArrayList<>();
  private final Map<String, NodeRecord> nodes = new LinkedHashMap<>();

  /** Records a new task. */
  public void insert(StoredTask task) {
    insertedTasks.put(task.task().getId(), task);
  }

  /** Records the newest version of a task; a task inserted in the same pass stays an insert. */
  public void update(StoredTask task) {
    String id = task.task().getId();
    if (insertedTasks.containsKey(id)) {
      insertedTasks.put(id, task);
    } else {
      updatedTasks.put(id, task);
    }
  }

  /** Records an event to append. */
  public void append(TaskEvent event) {
    events.add(event);
  }

  /** Records the newest version of a node (inserted or updated). */
  public void upsert(NodeRecord node) {
    nodes.put(node.node().getId(), node);
  }

  public Collection<StoredTask> insertedTasks() {
    return insertedTasks.values();
  }

  public Collection<StoredTask> updatedTasks() {
    return updatedTasks.values();
  }

  public List<TaskEvent> events() {
    return events;
  }

  public Collection<NodeRecord> nodes() {
    return nodes.values();
  }

  public boolean isEmpty() {
    return insertedTasks.isEmpty() && updatedTasks.isEmpty() && events.isEmpty() && nodes.isEmpty();
  }
}
