package io.gpupool.controller.api;

import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;

/** Small adapters that answer a unary call from a value, a failure or a future. */
final class Rpc {
  private Rpc() {}

  /** Answers with what {@code body} returns, or with the status its failure maps to. */
  static <T> void answer(StreamObserver<T> out, Supplier<T> body) {
    T response;
    try {
      response = body.get();
    } catch (RuntimeException e) {
      out.onError(StatusMapper.toStatus(e));
      return;
    }
    out.onNext(response);
    out.onCompleted();
  }

  /**
   * Answers when {@code future} completes, converting its value with {@code toResponse}; a failure
   * of the conversion is answered like a failure of the future.
   */
  static <V, T> void answerLater(
      StreamObserver<T> out, CompletableFuture<V> future, Function<V, T> toResponse) {
    future.whenComplete(
        (value, error) -> {
          if (error != null) {
            out.onError(StatusMapper.toStatus(error));
            return;
          }
          T response;
          try {
            response = toResponse.apply(value);
          } catch (RuntimeException e) {
            out.onError(StatusMapper.toStatus(e));
            return;
          }
          out.onNext(response);
          out.onCompleted();
        });
  }
}
