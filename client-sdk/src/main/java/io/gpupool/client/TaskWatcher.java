package io.gpupool.client;

import java.io.Closeable;

/**
 * A running watch started by {@link TaskHandle#watch(TaskEventListener)}; close it to stop
 * watching.
 */
public interface TaskWatcher extends Closeable {
  /**
   * Stops the watch and cancels its RPC. The listener gets no call after this returns, except one
   * that is already running; it gets neither {@code onError} nor {@code onCompleted} for the close.
   * Idempotent, thread-safe, never fails.
   */
  @Override
  void close();
}
