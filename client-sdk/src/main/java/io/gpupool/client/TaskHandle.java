package io.gpupool.client;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A task on the controller, by id: read it, follow its events, wait for its end, cancel it. Got
 * from {@link GpuPoolClient#submit} or {@link GpuPoolClient#task(String)}.
 *
 * <p>A handle holds only the id and its client: it is cheap, immutable and thread-safe, and stays
 * usable as long as the client is open. Every method that talks to the controller fails with {@link
 * GpuPoolException}; a task id the controller does not know gives {@link ErrorCode#NOT_FOUND}.
 *
 * <p>Watches ({@link #events()}, {@link #watch}, {@link #await}) survive a controller restart or a
 * network break: the client reconnects with backoff and resumes after the last event it delivered,
 * so no event is lost or repeated. They give up with {@link ErrorCode#UNAVAILABLE} when the
 * controller stays unreachable for longer than {@link GpuPoolClientBuilder#watchReconnectTimeout}.
 */
public interface TaskHandle {

  /** Returns the task id. */
  String id();

  /** Returns the current state of the task; blocking, see {@link GpuPoolClient#getTask}. */
  Task get();

  /** Cancels the task; blocking, see {@link GpuPoolClient#cancel}. */
  Task cancel();

  /**
   * Opens a blocking iterator over the task's whole history and then its live events, ending after
   * its terminal state. The RPC starts at once.
   *
   * <pre>{@code
   * try (TaskEventStream events = handle.events()) {
   *   for (TaskEvent event : events) { ... }
   * }
   * }</pre>
   *
   * @return the stream; close it if you stop before the end
   * @throws IllegalStateException if the client is closed
   */
  default TaskEventStream events() {
    return events(0);
  }

  /**
   * Like {@link #events()}, starting after the event with sequence {@code afterSequence}, e.g. to
   * resume where an earlier stream stopped.
   *
   * @param afterSequence the last sequence already seen; 0 for the whole history
   * @return the stream; close it if you stop before the end
   * @throws IllegalArgumentException if {@code afterSequence} is negative
   * @throws IllegalStateException if the client is closed
   */
  TaskEventStream events(long afterSequence);

  /**
   * Starts delivering the task's whole history and then its live events to a listener, until the
   * terminal state ({@link TaskEventListener#onCompleted()}), a failure ({@link
   * TaskEventListener#onError}) or {@link TaskWatcher#close()}. Returns at once.
   *
   * @param listener receives the events on the client's threads, one call at a time
   * @return the running watch; close it to stop early
   * @throws IllegalStateException if the client is closed
   */
  default TaskWatcher watch(TaskEventListener listener) {
    return watch(0, listener);
  }

  /**
   * Like {@link #watch(TaskEventListener)}, starting after the event with sequence {@code
   * afterSequence}.
   *
   * @param afterSequence the last sequence already seen; 0 for the whole history
   * @param listener receives the events on the client's threads, one call at a time
   * @return the running watch; close it to stop early
   * @throws IllegalArgumentException if {@code afterSequence} is negative
   * @throws IllegalStateException if the client is closed
   */
  TaskWatcher watch(long afterSequence, TaskEventListener listener);

  /**
   * Waits for the task to end and returns how it ended. Returns at once for a task that has already
   * ended.
   *
   * @param timeout how long to wait at most
   * @return the outcome, with the final snapshot of the task
   * @throws GpuPoolException with {@link ErrorCode#DEADLINE_EXCEEDED} if the task has not ended
   *     within {@code timeout} (the task itself keeps running), {@link ErrorCode#CANCELLED} if the
   *     thread is interrupted, or the watch's failure
   */
  TaskResult await(Duration timeout);

  /**
   * Starts waiting for the task to end, without blocking. Cancelling the returned future (or
   * completing it, e.g. with {@link CompletableFuture#orTimeout}) stops the watch behind it.
   *
   * @return a future completed with the outcome, or exceptionally with {@link GpuPoolException}
   * @throws IllegalStateException if the client is closed
   */
  CompletableFuture<TaskResult> awaitAsync();
}
