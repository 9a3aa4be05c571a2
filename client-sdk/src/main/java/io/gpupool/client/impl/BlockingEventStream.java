package io.gpupool.client.impl;

import io.gpupool.client.ErrorCode;
import io.gpupool.client.GpuPoolException;
import io.gpupool.client.TaskEvent;
import io.gpupool.client.TaskEventStream;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * The blocking iterator behind {@link io.gpupool.client.TaskHandle#events()}: a {@link WatchSink}
 * that buffers at most {@link #BUFFER_SIZE} events, granting the watch one more event each time the
 * consumer takes one.
 *
 * <p>Iterated by one thread at a time; {@link #close()} and the watch's callbacks come from any
 * thread.
 */
final class BlockingEventStream implements TaskEventStream, WatchSink {
  /** How many events the client reads ahead of the consumer. */
  static final int BUFFER_SIZE = 64;

  private static final Object END = new Object();

  // Room for a full buffer, the watch's final signal and the wake-up of close().
  private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(BUFFER_SIZE + 2);
  private final String taskId;
  private TaskWatch watch;
  private volatile boolean closed;

  // Consumer-side state, touched only by the iterating thread.
  private TaskEvent next;
  private GpuPoolException failure;
  private boolean ended;

  BlockingEventStream(String taskId) {
    this.taskId = taskId;
  }

  /** Connects the stream to the watch it reads from; before the watch starts. */
  void attach(TaskWatch watch) {
    this.watch = watch;
  }

  @Override
  public void onEvent(TaskEvent event) {
    queue.add(event);
  }

  @Override
  public void onError(GpuPoolException error) {
    queue.add(error);
  }

  @Override
  public void onCompleted() {
    queue.add(END);
  }

  @Override
  public boolean hasNext() {
    if (next != null) {
      return true;
    }
    if (failure != null) {
      throw ErrorMapper.forCaller(failure);
    }
    if (ended || closed) {
      return false;
    }
    Object item = take();
    if (item == END || closed) {
      ended = true;
      return false;
    }
    if (item instanceof GpuPoolException error) {
      failure = error;
      throw ErrorMapper.forCaller(error);
    }
    next = (TaskEvent) item;
    return true;
  }

  @Override
  public TaskEvent next() {
    if (!hasNext()) {
      throw new NoSuchElementException("the events of task " + taskId + " have ended");
    }
    TaskEvent event = next;
    next = null;
    watch.request(1);
    return event;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    watch.close();
    queue.offer(END);
  }

  private Object take() {
    try {
      return queue.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
      throw new GpuPoolException(
          ErrorCode.CANCELLED, "interrupted while waiting for an event of task " + taskId, e);
    }
  }
}
