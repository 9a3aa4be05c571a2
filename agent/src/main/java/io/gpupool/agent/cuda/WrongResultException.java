package io.gpupool.agent.cuda;

/** A diagnostic kernel ran but computed something else than it must: the device is faulty. */
final class WrongResultException extends Exception {

  private static final long serialVersionUID = 1L;

  WrongResultException(String message) {
    super(message);
  }
}
