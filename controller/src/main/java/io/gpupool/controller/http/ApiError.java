package io.gpupool.controller.http;

/** A refused JSON request: the HTTP status and a message the caller can act on. */
final class ApiError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;

  ApiError(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  int status() {
    return status;
  }
}
