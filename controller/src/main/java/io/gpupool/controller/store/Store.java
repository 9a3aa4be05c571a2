package io.gpupool.controller.store;

import io.gpupool.proto.v1.Task;
import io.gpupool.proto.v1.TaskEvent;
import io.gpupool.proto.v1.TaskState;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The controller's durable state.
 *
 * <p>Thread-safe. Every method throws {@link StoreException} when the database fails; a failed
 * {@link #commit} changed nothing.
 */
public interface Store extends AutoCloseable {

  /** Loads what the scheduling loop needs to resume. */
  StoredState load();

  /** Applies all changes atomically and durably. */
  void commit(Changes changes);

  /** The task with this id, if any. */
  Optional<Task> findTask(String id);

  /** The task created by a submit with this request id, if any. */
  Optional<Task> findTaskByRequestId(String requestId);

  /**
   * Tasks in submission order after {@code afterSequence}.
   *
   * @param states only these states; empty means all
   * @param limit at most this many
   */
  default List<StoredTask> listTasks(Set<TaskState> states, long afterSequence, int limit) {
    return listTasks(states, null, afterSequence, limit);
  }

  /**
   * Tasks of one tenant (see {@link Tenants}) in submission order after {@code afterSequence}.
   *
   * @param states only these states; empty means all
   * @param tenant only this tenant's tasks; null means every tenant's
   * @param limit at most this many
   */
  List<StoredTask> listTasks(Set<TaskState> states, String tenant, long afterSequence, int limit);

  /** A task's events with a sequence greater than {@code afterSequence}, in order. */
  List<TaskEvent> listEvents(String taskId, long afterSequence, int limit);

  @Override
  void close();
}
