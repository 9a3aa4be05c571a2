package io.gpupool.controller.loop;

import io.gpupool.controller.error.ControllerException;
import io.gpupool.controller.error.ErrorKind;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/** Answers to the callers waiting on loop events: after the commit, or with an error. */
final class Replies {
  private Replies() {}

  static <T> void afterCommit(Pass pass, CompletableFuture<T> reply, Supplier<T> value) {
    pass.afterCommit(() -> reply.complete(value.get()));
    pass.onFailure(
        () ->
            reply.completeExceptionally(
                new ControllerException(
                    ErrorKind.UNAVAILABLE, "the controller could not store the change; retry")));
  }

  static void fail(LoopEvent event, ControllerException error) {
    CompletableFuture<?> reply = event.reply();
    if (reply != null) {
      reply.completeExceptionally(error);
    }
  }

  static void rejectClosed(LoopEvent event) {
    fail(event, new ControllerException(ErrorKind.UNAVAILABLE, "the controller is shutting down"));
  }
}
