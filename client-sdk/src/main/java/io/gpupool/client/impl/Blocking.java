package io.gpupool.client.impl;

import io.gpupool.client.ErrorCode;
import io.gpupool.client.GpuPoolException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/** Waits for an async call on behalf of a blocking method. */
final class Blocking {
  private Blocking() {}

  /**
   * Returns the future's value, or throws its failure as a {@link GpuPoolException}. An interrupt
   * cancels the future, keeps the interrupt flag and throws {@link ErrorCode#CANCELLED}.
   */
  static <T> T join(CompletableFuture<T> future, String what) {
    try {
      return future.get();
    } catch (ExecutionException e) {
      throw ErrorMapper.forCaller(e.getCause());
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw new GpuPoolException(ErrorCode.CANCELLED, "interrupted while waiting for " + what, e);
    }
  }
}
