package io.gpupool.controller.store;

/**
 * The database failed; the operation had no effect. {@link LeadershipLostException} is the one
 * failure that a retry cannot cure: this controller may no longer write.
 */
public sealed class StoreException extends RuntimeException permits LeadershipLostException {
  private static final long serialVersionUID = 1L;

  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
