package io.gpupool.controller.auth;

import io.gpupool.proto.v1.AdminServiceGrpc;
import io.gpupool.proto.v1.CancelTaskRequest;
import io.gpupool.proto.v1.ClearGpuQuarantineRequest;
import io.gpupool.proto.v1.CordonNodeRequest;
import io.gpupool.proto.v1.CreateTokenResponse;
import io.gpupool.proto.v1.RevokeTokenRequest;
import io.gpupool.proto.v1.SchedulerServiceGrpc;
import io.gpupool.proto.v1.SubmitTaskResponse;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Which calls the audit log records whatever their outcome (submits, cancels, node changes, token
 * changes), and what each acted on. Any other call is recorded only when it is refused
 * (UNAUTHENTICATED or PERMISSION_DENIED). Immutable and thread-safe.
 */
final class AuditedCalls {

  /**
   * How to name what a call acted on: from its request, or else from its response (the id of what
   * it created). Either function may be null; a message of another type names nothing.
   */
  record Target(Function<Object, String> fromRequest, Function<Object, String> fromResponse) {
    String of(Object request, Object response) {
      String target = "";
      if (fromRequest != null && request != null) {
        target = fromRequest.apply(request);
      }
      if (target.isEmpty() && fromResponse != null && response != null) {
        target = fromResponse.apply(response);
      }
      return target;
    }
  }

  private static final Map<String, Target> AUDITED =
      Map.of(
          SchedulerServiceGrpc.getSubmitTaskMethod().getFullMethodName(),
          new Target(null, on(SubmitTaskResponse.class, r -> r.getTask().getId())),
          SchedulerServiceGrpc.getCancelTaskMethod().getFullMethodName(),
          new Target(on(CancelTaskRequest.class, CancelTaskRequest::getId), null),
          SchedulerServiceGrpc.getCordonNodeMethod().getFullMethodName(),
          new Target(
              on(
                  CordonNodeRequest.class,
                  r -> r.getNode() + (r.getCordoned() ? " (cordon)" : " (uncordon)")),
              null),
          SchedulerServiceGrpc.getClearGpuQuarantineMethod().getFullMethodName(),
          new Target(
              on(ClearGpuQuarantineRequest.class, r -> r.getNode() + " gpu " + r.getDeviceIndex()),
              null),
          AdminServiceGrpc.getCreateTokenMethod().getFullMethodName(),
          new Target(null, on(CreateTokenResponse.class, r -> r.getToken().getId())),
          AdminServiceGrpc.getRevokeTokenMethod().getFullMethodName(),
          new Target(on(RevokeTokenRequest.class, RevokeTokenRequest::getId), null));

  private AuditedCalls() {}

  /** The target rule of a call the log always records; empty for other calls. */
  static Optional<Target> of(String fullMethodName) {
    return Optional.ofNullable(AUDITED.get(fullMethodName));
  }

  private static <T> Function<Object, String> on(Class<T> type, Function<T, String> name) {
    return message -> type.isInstance(message) ? name.apply(type.cast(message)) : "";
  }
}
