package io.gpupool.agent.device;

/** No usable device backend: the message tells the user what was looked for and what to do. */
public final class DeviceBackendException extends Exception {

  /** Creates the exception with a message a user can act on. */
  public DeviceBackendException(String message) {
    super(message);
  }
}
