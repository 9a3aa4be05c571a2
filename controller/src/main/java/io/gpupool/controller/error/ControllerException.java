package io.gpupool.controller.error;

/** A failure the caller caused or can act on. The message is shown to the caller as is. */
public final class ControllerException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ErrorKind kind;

  public ControllerException(ErrorKind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public ErrorKind kind() {
    return kind;
  }

  public static ControllerException notFound(String message) {
    return new ControllerException(ErrorKind.NOT_FOUND, message);
  }

  public static ControllerException invalid(String message) {
    return new ControllerException(ErrorKind.INVALID_ARGUMENT, message);
  }

  public static ControllerException failedPrecondition(String message) {
    return new ControllerException(ErrorKind.FAILED_PRECONDITION, message);
  }

  public static ControllerException unauthenticated(String message) {
    return new ControllerException(ErrorKind.UNAUTHENTICATED, message);
  }

  public static ControllerException permissionDenied(String message) {
    return new ControllerException(ErrorKind.PERMISSION_DENIED, message);
  }
}
