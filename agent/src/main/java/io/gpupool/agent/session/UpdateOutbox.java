package io.gpupool.agent.session;

import io.gpupool.proto.v1.TaskUpdate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Task updates not yet acknowledged by the controller. Numbers each update (1, 2, 3, ... within the
 * agent process) and keeps it until an ack covers it; acks are cumulative.
 *
 * <p>Thread-safe. Unbounded: while the controller is away, every update is kept. With a {@link
 * UpdateSpool} every update is also on disk until acknowledged, and a new outbox on the same spool
 * starts with what an earlier process left.
 */
public final class UpdateOutbox {

  private final Deque<TaskUpdate> pending = new ArrayDeque<>();
  private final UpdateSpool spool;
  private long lastId;
  private long lastAcknowledged;

  /** An outbox kept in memory only. */
  public UpdateOutbox() {
    this.spool = null;
  }

  /** An outbox kept on disk too, starting with the spool's unacknowledged updates. */
  public UpdateOutbox(UpdateSpool spool) {
    this.spool = spool;
    this.pending.addAll(spool.pending());
    this.lastId = spool.lastId();
    this.lastAcknowledged =
        spool.pending().isEmpty() ? lastId : spool.pending().get(0).getUpdateId() - 1;
  }

  /** Numbers an update and keeps it; returns it with its update_id set. */
  public synchronized TaskUpdate add(TaskUpdate update) {
    TaskUpdate numbered = update.toBuilder().setUpdateId(++lastId).build();
    pending.addLast(numbered);
    if (spool != null) {
      spool.save(numbered);
    }
    return numbered;
  }

  /** Drops every update with an id up to and including {@code updateId}. */
  public synchronized void acknowledge(long updateId) {
    List<TaskUpdate> done = new ArrayList<>();
    while (!pending.isEmpty() && pending.peekFirst().getUpdateId() <= updateId) {
      done.add(pending.removeFirst());
    }
    if (spool != null && !done.isEmpty()) {
      spool.remove(done);
    }
    lastAcknowledged = Math.max(lastAcknowledged, Math.min(updateId, lastId));
  }

  /** The unacknowledged updates with an id above {@code updateId}, in order. */
  public synchronized List<TaskUpdate> after(long updateId) {
    List<TaskUpdate> result = new ArrayList<>();
    for (TaskUpdate update : pending) {
      if (update.getUpdateId() > updateId) {
        result.add(update);
      }
    }
    return result;
  }

  /** Ids of the tasks that have unacknowledged updates. */
  public synchronized Set<String> taskIds() {
    Set<String> ids = new TreeSet<>();
    pending.forEach(update -> ids.add(update.getTaskId()));
    return ids;
  }

  /** The highest id acknowledged so far; 0 before the first ack. */
  public synchronized long lastAcknowledged() {
    return lastAcknowledged;
  }

  /** Number of unacknowledged updates. */
  public synchronized int size() {
    return pending.size();
  }
}
