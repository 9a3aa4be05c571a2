package io.gpupool.client;

import java.util.Objects;

/**
 * The one exception of the gpupool client: every failed call, watch or wait ends in it, carrying an
 * {@link ErrorCode} and the controller's message (or the client's, for client-side failures).
 *
 * <p>Unchecked. Blocking methods throw it directly; the futures of {@code *Async} methods complete
 * exceptionally with it as is (a dependent stage you add sees it wrapped in a {@link
 * java.util.concurrent.CompletionException}, as {@link java.util.concurrent.CompletableFuture}
 * always does). Instances are immutable and safe to share between threads.
 */
public class GpuPoolException extends RuntimeException {
  private final ErrorCode code;

  /**
   * Creates an exception.
   *
   * @param code why the call failed
   * @param message the message for the user, usually the controller's
   */
  public GpuPoolException(ErrorCode code, String message) {
    this(code, message, null);
  }

  /**
   * Creates an exception with the failure that caused it.
   *
   * @param code why the call failed
   * @param message the message for the user, usually the controller's
   * @param cause the underlying failure, or {@code null}
   */
  public GpuPoolException(ErrorCode code, String message, Throwable cause) {
    super(message, cause);
    this.code = Objects.requireNonNull(code, "code");
  }

  /** Returns why the call failed. */
  public ErrorCode code() {
    return code;
  }

  /** Returns the class name, the code and the message, e.g. {@code ...: NOT_FOUND: no task t-9}. */
  @Override
  public String toString() {
    return getClass().getName() + ": " + code + ": " + getMessage();
  }
}
