package io.gpupool.controller.api;

import io.gpupool.controller.state.TaskLifecycle;
import io.gpupool.controller.store.Store;
import io.gpupool.controller.watch.TaskEventBus;
import io.gpupool.proto.v1.TaskEvent;
import io.gpupool.proto.v1.WatchTaskResponse;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WatchTask stream: replays the stored history, then forwards live events, and ends after the
 * terminal state.
 *
 * <p>It subscribes before reading the history, so an event committed while the history is read is
 * either in the history or delivered live; sequence numbers drop the overlap. Thread-safe: live
 * events arrive on the loop thread, the replay runs on the RPC thread; sends are serialized.
 */
final class TaskWatch implements Consumer<TaskEvent> {
  private static final Logger log = LoggerFactory.getLogger(TaskWatch.class);
  private static final int REPLAY_PAGE = 1000;

  private final String taskId;
  private final ServerCallStreamObserver<WatchTaskResponse> out;
  private final Store store;
  private final TaskEventBus bus;
  private final List<TaskEvent> arrivedDuringReplay = new ArrayList<>();
  private final ArrayDeque<TaskEvent> backlog = new ArrayDeque<>();
  private final int maxBacklog;
  private long lastQueued;
  private long lastSent;
  private boolean replaying = true;
  private boolean done;
  private AutoCloseable subscription;

  TaskWatch(
      String taskId,
      long afterSequence,
      ServerCallStreamObserver<WatchTaskResponse> out,
      Store store,
      TaskEventBus bus,
      int maxBacklog) {
    this.taskId = taskId;
    this.lastSent = afterSequence;
    this.lastQueued = afterSequence;
    this.maxBacklog = maxBacklog;
    this.out = out;
    this.store = store;
    this.bus = bus;
  }

  void start() {
    synchronized (this) {
      subscription = bus.subscribe(taskId, this);
    }
    out.setOnCancelHandler(this::finish);
    out.setOnReadyHandler(this::drain);
    long after = lastSent;
    List<TaskEvent> page;
    do {
      page = store.listEvents(taskId, after, REPLAY_PAGE);
      for (TaskEvent event : page) {
        synchronized (this) {
          send(event);
        }
        after = event.getSequence();
      }
    } while (page.size() == REPLAY_PAGE && !isDone());
    synchronized (this) {
      replaying = false;
      arrivedDuringReplay.forEach(this::send);
      arrivedDuringReplay.clear();
    }
  }

  @Override
  public synchronized void accept(TaskEvent event) {
    if (replaying) {
      arrivedDuringReplay.add(event);
    } else {
      send(event);
    }
  }

  private synchronized boolean isDone() {
    return done;
  }

  /**
   * Sends an event, or queues it while the client's transport is not ready. A client that falls
   * {@code maxBacklog} events behind is cut off with UNAVAILABLE (it resumes from the stored
   * history with after_sequence), so a slow watcher never grows the controller's memory without
   * bound.
   */
  private void send(TaskEvent event) {
    if (done || event.getSequence() <= lastQueued) {
      return;
    }
    lastQueued = event.getSequence();
    if (backlog.isEmpty() && out.isReady()) {
      emit(event);
    } else if (backlog.size() < maxBacklog) {
      backlog.add(event);
    } else {
      fallBehind();
    }
  }

  private synchronized void drain() {
    while (!done && !backlog.isEmpty() && out.isReady()) {
      emit(backlog.poll());
    }
  }

  private void emit(TaskEvent event) {
    try {
      out.onNext(WatchTaskResponse.newBuilder().setEvent(event).build());
      lastSent = event.getSequence();
      if (event.hasStateChange() && TaskLifecycle.isTerminal(event.getStateChange().getState())) {
        out.onCompleted();
        finish();
      }
    } catch (RuntimeException e) {
      log.debug("watch of {} ended while sending: {}", taskId, e.toString());
      finish();
    }
  }

  private void fallBehind() {
    backlog.clear();
    try {
      out.onError(
          Status.UNAVAILABLE
              .withDescription(
                  "the watcher fell behind; watch again with after_sequence " + lastSent)
              .asRuntimeException());
    } catch (RuntimeException e) {
      log.debug("closing the watch of {} failed: {}", taskId, e.toString());
    }
    finish();
  }

  private synchronized void finish() {
    done = true;
    if (subscription != null) {
      try {
        subscription.close();
      } catch (Exception e) {
        log.debug("unsubscribing watch of {} failed", taskId, e);
      }
    }
  }
}
