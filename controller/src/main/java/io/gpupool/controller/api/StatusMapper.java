package io.gpupool.controller.api;

import io.gpupool.controller.error.ControllerException;
import io.gpupool.controller.store.StoreException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one place where failures become gRPC statuses. Unexpected ones are logged, not sent. */
final class StatusMapper {
  private static final Logger log = LoggerFactory.getLogger(StatusMapper.class);

  private StatusMapper() {}

  /**
   * The message cut to {@link Violations#MAX_MESSAGE_CHARS}: gRPC sends it in a header, and a
   * message that echoes a huge request would make the client fail on the header instead.
   */
  static String bounded(String message) {
    return message.length() <= Violations.MAX_MESSAGE_CHARS
        ? message
        : message.substring(0, Violations.MAX_MESSAGE_CHARS) + "...";
  }

  static StatusRuntimeException toStatus(Throwable error) {
    Throwable cause =
        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (cause instanceof StatusRuntimeException status) {
      return status;
    }
    if (cause instanceof ControllerException e) {
      Status status =
          switch (e.kind()) {
            case INVALID_ARGUMENT -> Status.INVALID_ARGUMENT;
            case NOT_FOUND -> Status.NOT_FOUND;
            case FAILED_PRECONDITION -> Status.FAILED_PRECONDITION;
            case UNAUTHENTICATED -> Status.UNAUTHENTICATED;
            case PERMISSION_DENIED -> Status.PERMISSION_DENIED;
            case UNAVAILABLE -> Status.UNAVAILABLE;
          };
      return status.withDescription(bounded(e.getMessage())).asRuntimeException();
    }
    if (cause instanceof StoreException) {
      log.error("store failure while serving a request", cause);
      return Status.UNAVAILABLE
          .withDescription("the controller's store is failing; retry later")
          .asRuntimeException();
    }
    log.error("unexpected failure while serving a request", cause);
    return Status.INTERNAL
        .withDescription("internal error in the controller; see its log")
        .asRuntimeException();
  }
}
