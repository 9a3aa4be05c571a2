package io.gpupool.client.impl;

import io.gpupool.client.ErrorCode;
import io.gpupool.client.GpuPoolException;
import io.grpc.Status;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Turns every failure the client meets into a {@link GpuPoolException}: the one place it does. */
final class ErrorMapper {
  private ErrorMapper() {}

  /**
   * Maps a gRPC status failure to its code and the server's message; unwraps future wrappers and
   * passes a {@link GpuPoolException} through unchanged.
   */
  static GpuPoolException map(Throwable failure) {
    if ((failure instanceof CompletionException || failure instanceof ExecutionException)
        && failure.getCause() != null) {
      return map(failure.getCause());
    }
    if (failure instanceof GpuPoolException known) {
      return known;
    }
    Status status = Status.fromThrowable(failure);
    ErrorCode code = code(status.getCode());
    return new GpuPoolException(code, message(status, code, failure), failure);
  }

  /**
   * Returns the failure of an async call as a fresh exception for a blocking caller to throw: same
   * code and message, with a stack trace through the caller and the original as cause.
   */
  static GpuPoolException forCaller(Throwable failure) {
    GpuPoolException mapped = map(failure);
    return new GpuPoolException(mapped.code(), mapped.getMessage(), mapped);
  }

  private static ErrorCode code(Status.Code code) {
    return switch (code) {
      case INVALID_ARGUMENT -> ErrorCode.INVALID_ARGUMENT;
      case NOT_FOUND -> ErrorCode.NOT_FOUND;
      case FAILED_PRECONDITION -> ErrorCode.FAILED_PRECONDITION;
      case UNAUTHENTICATED -> ErrorCode.UNAUTHENTICATED;
      case PERMISSION_DENIED -> ErrorCode.PERMISSION_DENIED;
      case RESOURCE_EXHAUSTED -> ErrorCode.RESOURCE_EXHAUSTED;
      case UNAVAILABLE -> ErrorCode.UNAVAILABLE;
      case DEADLINE_EXCEEDED -> ErrorCode.DEADLINE_EXCEEDED;
      case CANCELLED -> ErrorCode.CANCELLED;
      case UNIMPLEMENTED -> ErrorCode.UNIMPLEMENTED;
      case INTERNAL -> ErrorCode.INTERNAL;
      // The controller does not use these; keep the gRPC name in the message instead.
      case OK, UNKNOWN, ALREADY_EXISTS, ABORTED, OUT_OF_RANGE, DATA_LOSS -> ErrorCode.UNKNOWN;
    };
  }

  private static String message(Status status, ErrorCode code, Throwable failure) {
    String description = status.getDescription();
    if (description == null || description.isEmpty()) {
      description = status.getCause() != null ? status.getCause().toString() : failure.toString();
    }
    boolean codeLost = !code.name().equals(status.getCode().name());
    return codeLost ? status.getCode() + ": " + description : description;
  }
}
