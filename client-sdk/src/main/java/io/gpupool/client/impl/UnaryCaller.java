package io.gpupool.client.impl;

import io.gpupool.client.ErrorCode;
import io.gpupool.client.GpuPoolException;
import io.gpupool.proto.v1.SchedulerServiceGrpc.SchedulerServiceStub;
import io.grpc.Deadline;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Makes unary calls: one deadline ({@code callTimeout}) over all attempts, retries with backoff on
 * UNAVAILABLE, and a future that completes with the mapped answer or a {@link GpuPoolException}.
 * Cancelling the future cancels the call in flight. Thread-safe.
 *
 * <p>Every unary RPC the client makes is safe to repeat (reads, a cancel, and a submit that carries
 * its request id), so all of them are retried.
 */
final class UnaryCaller {
  /** A unary RPC of the scheduler stub, e.g. {@code SchedulerServiceStub::getTask}. */
  @FunctionalInterface
  interface Rpc<Q, R> {
    void invoke(SchedulerServiceStub stub, Q request, StreamObserver<R> responseObserver);
  }

  private final SchedulerServiceStub stub;
  private final Duration callTimeout;
  private final int maxRetries;
  private final Backoff backoff;
  private final ScheduledExecutorService scheduler;
  private final Runnable beforeRetry;

  /**
   * @param beforeRetry run before each retry, to make the channel reconnect at once rather than
   *     after its own backoff
   */
  UnaryCaller(
      SchedulerServiceStub stub,
      Duration callTimeout,
      int maxRetries,
      Backoff backoff,
      ScheduledExecutorService scheduler,
      Runnable beforeRetry) {
    this.stub = stub;
    this.callTimeout = callTimeout;
    this.maxRetries = maxRetries;
    this.backoff = backoff;
    this.scheduler = scheduler;
    this.beforeRetry = beforeRetry;
  }

  /**
   * Starts the call; the same request message goes out on every attempt.
   *
   * @param name the RPC's name, for messages
   * @param toResult maps the response; a failure in it fails the future
   */
  <Q, R, T> CompletableFuture<T> call(
      String name, Rpc<Q, R> rpc, Q request, Function<R, T> toResult) {
    Call<Q, R, T> call =
        new Call<>(
            name,
            rpc,
            request,
            toResult,
            Deadline.after(callTimeout.toNanos(), TimeUnit.NANOSECONDS));
    call.attempt(0);
    return call.result;
  }

  private final class Call<Q, R, T> {
    final String name;
    final Rpc<Q, R> rpc;
    final Q request;
    final Function<R, T> toResult;
    final Deadline deadline;
    final CompletableFuture<T> result = new CompletableFuture<>();

    Call(String name, Rpc<Q, R> rpc, Q request, Function<R, T> toResult, Deadline deadline) {
      this.name = name;
      this.rpc = rpc;
      this.request = request;
      this.toResult = toResult;
      this.deadline = deadline;
    }

    void attempt(int retry) {
      if (result.isDone()) {
        return;
      }
      Attempt attempt = new Attempt(retry);
      result.whenComplete(
          (value, failure) -> {
            if (result.isCancelled()) {
              attempt.cancel();
            }
          });
      try {
        rpc.invoke(stub.withDeadline(deadline), request, attempt);
      } catch (RuntimeException e) {
        attempt.onError(e);
      }
    }

    void retryOrFail(int retry, GpuPoolException error) {
      if (error.code() == ErrorCode.UNAVAILABLE && retry < maxRetries) {
        long delayNanos = backoff.delay(retry).toNanos();
        if (deadline.timeRemaining(TimeUnit.NANOSECONDS) > delayNanos) {
          try {
            scheduler.schedule(
                () -> {
                  beforeRetry.run();
                  attempt(retry + 1);
                },
                delayNanos,
                TimeUnit.NANOSECONDS);
            return;
          } catch (RejectedExecutionException closed) {
            error = new GpuPoolException(ErrorCode.CANCELLED, "the client was closed", error);
          }
        }
      }
      if (error.code() == ErrorCode.DEADLINE_EXCEEDED) {
        error =
            new GpuPoolException(
                ErrorCode.DEADLINE_EXCEEDED,
                name + " took longer than callTimeout " + callTimeout + ": " + error.getMessage(),
                error);
      }
      result.completeExceptionally(error);
    }

    private final class Attempt implements ClientResponseObserver<Q, R> {
      private final int retry;
      private volatile ClientCallStreamObserver<Q> requestStream;
      private R response;

      Attempt(int retry) {
        this.retry = retry;
      }

      @Override
      public void beforeStart(ClientCallStreamObserver<Q> requestStream) {
        this.requestStream = requestStream;
      }

      @Override
      public void onNext(R value) {
        response = value;
      }

      @Override
      public void onError(Throwable failure) {
        retryOrFail(retry, ErrorMapper.map(failure));
      }

      @Override
      public void onCompleted() {
        try {
          result.complete(toResult.apply(response));
        } catch (RuntimeException e) {
          result.completeExceptionally(ErrorMapper.map(e));
        }
      }

      void cancel() {
        ClientCallStreamObserver<Q> stream = requestStream;
        if (stream != null) {
          stream.cancel("cancelled by the caller", null);
        }
      }
    }
  }
}
