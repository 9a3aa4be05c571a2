package io.gpupool.controller.error;

/** The kinds of failure a caller can tell apart; each maps to one gRPC status code. */
public enum ErrorKind {
  /** The request is malformed; the message names the field. */
  INVALID_ARGUMENT,
  /** The named task or node does not exist. */
  NOT_FOUND,
  /** The request is valid but the object's state does not allow it. */
  FAILED_PRECONDITION,
  /** The caller's credential is wrong. */
  UNAUTHENTICATED,
  /** The caller is known but may not do this; the message says what it may not do. */
  PERMISSION_DENIED,
  /** The controller is shutting down or cannot serve now; retry later. */
  UNAVAILABLE
}
