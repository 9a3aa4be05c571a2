package io.gpupool.controller.store;

/**
 * This controller no longer leads the shared PostgreSQL store: a newer leader recorded its epoch
 * (the commit that found out was rolled back and changed nothing), or the connection that held the
 * leader lock failed. The controller must stop serving; it may come back as a standby.
 */
public final class LeadershipLostException extends StoreException {
  private static final long serialVersionUID = 1L;

  public LeadershipLostException(String message) {
    super(message, null);
  }

  public LeadershipLostException(String message, Throwable cause) {
    super(message, cause);
  }
}
