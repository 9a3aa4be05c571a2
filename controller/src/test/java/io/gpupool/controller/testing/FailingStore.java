package io.gpupool.controller.testing;

import io.gpupool.controller.store.Changes;
import io.gpupool.controller.store.LeadershipLostException;
import io.gpupool.controller.store.Store;
import io.gpupool.controller.store.StoreException;
import io.gpupool.controller.store.StoredState;
import io.gpupool.controller.store.StoredTask;
import io.gpupool.proto.v1.Task;
import io.gpupool.proto.v1.TaskEvent;
import io.gpupool.proto.v1.TaskState;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A store whose commits fail while {@link #failing} is set, and are refused as from a deposed
 * leader while {@link #deposed} is set; otherwise it delegates.
 */
public final class FailingStore implements Store {
  private final Store delegate;
  public volatile boolean failing;
  public volatile boolean deposed;

  public FailingStore(Store delegate) {
    this.delegate = delegate;
  }

  @Override
  public StoredState load() {
    return delegate.load();
  }

  @Override
  public void commit(Changes changes) {
    if (deposed) {
      throw new LeadershipLostException(
          "controller other@host leads the store as epoch 2; this controller led epoch 1 and may"
              + " no longer write");
    }
    if (failing) {
      throw new StoreException("injected failure", new SQLException("disk on fire"));
    }
    delegate.commit(changes);
  }

  @Override
  public Optional<Task> findTask(String id) {
    return delegate.findTask(id);
  }

  @Override
  public Optional<Task> findTaskByRequestId(String requestId) {
    return delegate.findTaskByRequestId(requestId);
  }

  @Override
  public List<StoredTask> listTasks(
      Set<TaskState> states, String tenant, long afterSequence, int limit) {
    return delegate.listTasks(states, tenant, afterSequence, limit);
  }

  @Override
  public List<TaskEvent> listEvents(String taskId, long afterSequence, int limit) {
    return delegate.listEvents(taskId, afterSequence, limit);
  }

  @Override
  public void close() {
    delegate.close();
  }
}
