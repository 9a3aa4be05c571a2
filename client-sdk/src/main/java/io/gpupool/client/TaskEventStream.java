package io.gpupool.client;

import java.util.Iterator;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A blocking iterator over a task's events, as returned by {@link TaskHandle#events()}: it yields
 * the stored history, then live events as they happen, and ends after the event that enters a
 * terminal state.
 *
 * <p>{@link #hasNext()} blocks until the next event arrives or the watch ends; it throws {@link
 * GpuPoolException} when the watch fails (see {@link TaskEventListener#onError} for the reasons) or
 * the waiting thread is interrupted ({@link ErrorCode#CANCELLED}, interrupt flag kept). The client
 * reads ahead a bounded number of events only, so a slow consumer holds the controller back instead
 * of filling memory.
 *
 * <p>It is also an {@link Iterable} over itself, so that it can head a for-each loop; it can be
 * iterated once. Iterate from one thread at a time; {@link #close()} may be called from any thread.
 * Close it (try-with-resources) if you stop before the end, to cancel the RPC.
 */
public interface TaskEventStream extends Iterator<TaskEvent>, Iterable<TaskEvent>, AutoCloseable {

  /** Returns this stream itself: it is its own, single-use iterator. */
  @Override
  default Iterator<TaskEvent> iterator() {
    return this;
  }

  /**
   * Returns a sequential {@link Stream} over the remaining events; closing that stream closes this
   * one.
   */
  default Stream<TaskEvent> stream() {
    Spliterator<TaskEvent> spliterator =
        Spliterators.spliteratorUnknownSize(this, Spliterator.ORDERED | Spliterator.NONNULL);
    return StreamSupport.stream(spliterator, false).onClose(this::close);
  }

  /**
   * Cancels the watch; {@link #hasNext()} returns false afterwards, also in a thread blocked in it.
   * Idempotent, thread-safe, never fails.
   */
  @Override
  void close();
}
