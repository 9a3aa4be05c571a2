package io.gpupool.agent;

/**
 * The agent could not start: no usable devices, an unusable state dir, or a controller that refused
 * it. The message says what to do, in words fit for the user of the {@code gpupool agent} command;
 * nothing was left running.
 */
public final class AgentStartException extends Exception {

  /** Creates the exception with a message a user can act on. */
  public AgentStartException(String message) {
    super(message);
  }

  /** Creates the exception with a message a user can act on and the cause for the logs. */
  public AgentStartException(String message, Throwable cause) {
    super(message, cause);
  }
}
