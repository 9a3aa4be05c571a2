package io.gpupool.client.impl;

import io.gpupool.client.GpuPoolException;
import io.gpupool.client.TaskEvent;

/**
 * Where a {@link TaskWatch} delivers: events in sequence order, one at a time, then at most one of
 * {@link #onError} or {@link #onCompleted}, and nothing after the watch was closed (bar a call
 * already running).
 */
interface WatchSink {
  /** Takes the next event; it uses up one unit of the demand the sink granted the watch. */
  void onEvent(TaskEvent event);

  /** The watch failed for good. */
  void onError(GpuPoolException error);

  /** The watch delivered the terminal state, or the server ended the stream. */
  void onCompleted();
}
