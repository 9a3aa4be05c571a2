package io.gpupool.cli.client;

/**
 * A client command could not do what it was asked for a reason the user can act on; the message is
 * printed as {@code error: <message>} and the command exits with 1.
 */
public final class CommandFailedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** A failure with a message that stands on its own. */
  public CommandFailedException(String message) {
    super(message);
  }
}
