package io.gpupool.client;

/**
 * Receives the events of a watched task; see {@link TaskHandle#watch(TaskEventListener)}.
 *
 * <p>Calls come from the client's gRPC threads, one at a time and in sequence order, never
 * concurrently: an implementation needs no locking of its own, but must not block for long, since
 * the next events wait for it (the controller is told to hold them back). A watch ends with exactly
 * one {@link #onCompleted()} or {@link #onError}, unless it is closed first.
 */
public interface TaskEventListener {
  /**
   * Receives the next event. If it throws, the watch stops and {@link #onError} follows with {@link
   * ErrorCode#UNKNOWN}.
   *
   * @param event the event, with a sequence one greater than the previous one's
   */
  void onNext(TaskEvent event);

  /**
   * The watch failed and is over: the task does not exist ({@link ErrorCode#NOT_FOUND}), the
   * controller stayed unreachable longer than the reconnect timeout ({@link
   * ErrorCode#UNAVAILABLE}), the client was closed ({@link ErrorCode#CANCELLED}), and so on.
   *
   * @param error why
   */
  void onError(GpuPoolException error);

  /** The task reached a terminal state (delivered just before) and the watch is over. */
  void onCompleted();
}
