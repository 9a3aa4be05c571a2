package io.gpupool.agent.session;

/** The session could not start; the message says why, in words a user can act on. */
public final class SessionStartException extends Exception {

  /** Creates the exception. */
  public SessionStartException(String message) {
    super(message);
  }
}
