package io.gpupool.client.impl;

import io.gpupool.client.ErrorCode;
import io.gpupool.client.GpuPoolException;
import io.gpupool.client.TaskEvent;
import io.gpupool.client.TaskEventListener;
import io.gpupool.client.TaskWatcher;

/**
 * The {@link TaskWatcher} behind {@link io.gpupool.client.TaskHandle#watch}: hands events to the
 * user's listener one at a time and asks for the next only when the listener has returned, so a
 * slow listener slows the server rather than queueing events. Thread-safe.
 */
final class ListenerWatch implements TaskWatcher, WatchSink {
  private final String taskId;
  private final TaskEventListener listener;
  private TaskWatch watch;

  ListenerWatch(String taskId, TaskEventListener listener) {
    this.taskId = taskId;
    this.listener = listener;
  }

  /** Connects the listener to the watch that feeds it; before the watch starts. */
  void attach(TaskWatch watch) {
    this.watch = watch;
  }

  @Override
  public void onEvent(TaskEvent event) {
    try {
      listener.onNext(event);
    } catch (RuntimeException e) {
      watch.fail(
          new GpuPoolException(
              ErrorCode.UNKNOWN,
              "the listener of task " + taskId + " failed on event " + event.sequence() + ": " + e,
              e));
      return;
    }
    watch.request(1);
  }

  @Override
  public void onError(GpuPoolException error) {
    listener.onError(error);
  }

  @Override
  public void onCompleted() {
    listener.onCompleted();
  }

  @Override
  public void close() {
    watch.close();
  }
}
