package io.gpupool.client.impl;

import io.gpupool.client.ErrorCode;
import io.gpupool.client.GpuPoolException;
import io.gpupool.client.TaskEvent;
import io.gpupool.proto.v1.SchedulerServiceGrpc.SchedulerServiceStub;
import io.gpupool.proto.v1.WatchTaskRequest;
import io.gpupool.proto.v1.WatchTaskResponse;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One logical watch of a task over as many {@code WatchTask} streams as it takes: when a stream
 * breaks with UNAVAILABLE it reconnects with backoff, asking for the events after the last one
 * delivered, so that the {@link WatchSink} sees every event once, in order. Events the server sends
 * again are dropped.
 *
 * <p>Flow control: the sink grants demand ({@link #request}); the watch asks the server for no more
 * messages than the demand not yet used, on whichever stream is current. A sink that stops granting
 * stops the server.
 *
 * <p>Thread-safe. State is guarded by {@code lock}; the lock is never held while calling the sink
 * or the gRPC call, since either may call back in.
 */
final class TaskWatch {
  /**
   * A stream that stayed up this long before breaking counts as a new break, not a failed retry.
   */
  private static final Duration STABLE_STREAM = Duration.ofSeconds(10);

  private enum State {
    ACTIVE,
    ENDED
  }

  private final SchedulerServiceStub stub;
  private final String taskId;
  private final WatchSink sink;
  private final Backoff backoff;
  private final Duration reconnectTimeout;
  private final ScheduledExecutorService scheduler;
  private final Clock clock;
  private final Runnable beforeReconnect;
  private final Consumer<TaskWatch> onEnd;

  private final Object lock = new Object();
  private State state = State.ACTIVE;
  private long lastSequence;
  private long demand;
  private Stream current;
  private ScheduledFuture<?> pendingReconnect;
  private Instant breakStart;
  private int reconnects;

  /**
   * @param afterSequence the last sequence the caller has seen
   * @param initialDemand how many events the sink can take before it grants more
   * @param beforeReconnect run before each reconnect, to make the channel reconnect at once
   * @param onEnd run once when the watch ends, however it ends
   */
  TaskWatch(
      SchedulerServiceStub stub,
      String taskId,
      long afterSequence,
      int initialDemand,
      WatchSink sink,
      Backoff backoff,
      Duration reconnectTimeout,
      ScheduledExecutorService scheduler,
      Clock clock,
      Runnable beforeReconnect,
      Consumer<TaskWatch> onEnd) {
    this.stub = stub;
    this.taskId = taskId;
    this.lastSequence = afterSequence;
    this.demand = initialDemand;
    this.sink = sink;
    this.backoff = backoff;
    this.reconnectTimeout = reconnectTimeout;
    this.scheduler = scheduler;
    this.clock = clock;
    this.beforeReconnect = beforeReconnect;
    this.onEnd = onEnd;
  }

  /** Opens the first stream. */
  void start() {
    connect();
  }

  /** Grants the sink's demand for {@code events} more events. */
  void request(int events) {
    Stream stream;
    synchronized (lock) {
      demand += events;
      stream = current;
    }
    if (stream != null) {
      stream.requestMissing();
    }
  }

  /** Stops the watch without telling the sink. Idempotent. */
  void close() {
    stop(null, false);
  }

  /** Stops the watch and tells the sink it failed. No effect on an ended watch. */
  void fail(GpuPoolException error) {
    stop(error, true);
  }

  private void connect() {
    Stream stream;
    WatchTaskRequest request;
    synchronized (lock) {
      if (state != State.ACTIVE) {
        return;
      }
      pendingReconnect = null;
      stream = new Stream(clock.instant());
      current = stream;
      request = WatchTaskRequest.newBuilder().setId(taskId).setAfterSequence(lastSequence).build();
    }
    try {
      stub.watchTask(request, stream);
    } catch (RuntimeException e) {
      stream.onError(e);
      return;
    }
    boolean obsolete;
    synchronized (lock) {
      stream.started = true;
      obsolete = state != State.ACTIVE || current != stream;
    }
    if (obsolete) {
      stream.cancel();
    } else {
      stream.requestMissing();
    }
  }

  private void stop(GpuPoolException error, boolean notify) {
    Stream stream;
    ScheduledFuture<?> reconnect;
    synchronized (lock) {
      if (state != State.ACTIVE) {
        return;
      }
      state = State.ENDED;
      stream = current != null && current.started ? current : null;
      reconnect = pendingReconnect;
    }
    if (reconnect != null) {
      reconnect.cancel(false);
    }
    if (stream != null) {
      stream.cancel();
    }
    onEnd.accept(this);
    if (notify) {
      sink.onError(error);
    }
  }

  /** Ends the watch after the server ended it or sent the terminal state; the stream may finish. */
  private void complete() {
    synchronized (lock) {
      if (state != State.ACTIVE) {
        return;
      }
      state = State.ENDED;
    }
    onEnd.accept(this);
    sink.onCompleted();
  }

  /** Decides, under the lock, what a broken stream leads to; returns the error to end with. */
  private GpuPoolException reconnectOrGiveUp(Stream stream, GpuPoolException error) {
    if (error.code() != ErrorCode.UNAVAILABLE) {
      return error;
    }
    Instant now = clock.instant();
    if (breakStart == null || !now.isBefore(stream.startTime.plus(STABLE_STREAM))) {
      breakStart = now;
      reconnects = 0;
    }
    Duration left = reconnectTimeout.minus(Duration.between(breakStart, now));
    if (left.isNegative() || left.isZero()) {
      return new GpuPoolException(
          ErrorCode.UNAVAILABLE,
          "lost the watch of task "
              + taskId
              + " and could not resume it within watchReconnectTimeout "
              + reconnectTimeout
              + ": "
              + error.getMessage(),
          error);
    }
    Duration delay = backoff.delay(reconnects++);
    if (delay.compareTo(left) > 0) {
      delay = left;
    }
    try {
      pendingReconnect =
          scheduler.schedule(
              () -> {
                beforeReconnect.run();
                connect();
              },
              delay.toNanos(),
              TimeUnit.NANOSECONDS);
      return null;
    } catch (RejectedExecutionException closed) {
      return new GpuPoolException(ErrorCode.CANCELLED, "the client was closed", error);
    }
  }

  /** One {@code WatchTask} call. */
  private final class Stream
      implements ClientResponseObserver<WatchTaskRequest, WatchTaskResponse> {
    final Instant startTime;
    // Guarded by lock.
    boolean started;
    boolean done;
    long requested;
    long received;
    private ClientCallStreamObserver<WatchTaskRequest> call;

    Stream(Instant startTime) {
      this.startTime = startTime;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<WatchTaskRequest> call) {
      this.call = call;
      // No request before the call has started (that fails); requestMissing() follows the start.
      call.disableAutoRequestWithInitial(0);
    }

    /** Asks the server for as many messages as the sink's unused demand exceeds those in flight. */
    void requestMissing() {
      int missing;
      synchronized (lock) {
        if (!started || done || current != this || state != State.ACTIVE) {
          return;
        }
        missing = (int) (demand - (requested - received));
        if (missing <= 0) {
          return;
        }
        requested += missing;
      }
      call.request(missing);
    }

    void cancel() {
      call.cancel("watch of task " + taskId + " closed by the client", null);
    }

    @Override
    public void onNext(WatchTaskResponse response) {
      io.gpupool.proto.v1.TaskEvent proto = response.getEvent();
      TaskEvent event;
      synchronized (lock) {
        if (done || current != this || state != State.ACTIVE) {
          return;
        }
        received++;
        if (proto.getSequence() <= lastSequence) {
          event = null; // sent before; already delivered
        } else {
          lastSequence = proto.getSequence();
          breakStart = null;
          event = ProtoMapper.toEvent(proto);
          if (event != null) {
            demand--;
          }
        }
      }
      if (event == null) {
        requestMissing();
        return;
      }
      sink.onEvent(event);
      if (event instanceof TaskEvent.StateChanged change && change.isTerminal()) {
        complete();
      }
    }

    @Override
    public void onError(Throwable failure) {
      GpuPoolException error = ErrorMapper.map(failure);
      GpuPoolException fatal;
      synchronized (lock) {
        if (done) {
          return;
        }
        done = true;
        if (current != this || state != State.ACTIVE) {
          return;
        }
        fatal = reconnectOrGiveUp(this, error);
      }
      if (fatal != null) {
        fail(fatal);
      }
    }

    @Override
    public void onCompleted() {
      synchronized (lock) {
        if (done) {
          return;
        }
        done = true;
        if (current != this) {
          return;
        }
      }
      complete();
    }
  }
}
