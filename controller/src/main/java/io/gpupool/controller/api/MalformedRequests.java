package io.gpupool.controller.api;

import io.grpc.BindableService;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.protobuf.ProtoMethodDescriptorSupplier;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Answers a request that does not parse (truncated, invalid UTF-8 in a string, a wrong wire type,
 * nesting past protobuf's limit) with INVALID_ARGUMENT naming the message, instead of what gRPC
 * does by itself: UNKNOWN "Application error processing RPC" and a stack trace in the log.
 *
 * <p>It wraps each method of a service so that parsing happens where a failure can still be
 * answered: the request marshaller turns a parse failure into a value, and the call's listener
 * closes the call with the status (and tells the service's own listener the call is cancelled, so a
 * stream's observer ends). Stateless; the wrapped service is as thread-safe as the original.
 */
public final class MalformedRequests {
  private MalformedRequests() {}

  /** {@code service} with every method answering an unparseable request INVALID_ARGUMENT. */
  public static ServerServiceDefinition refused(BindableService service) {
    return refused(service.bindService());
  }

  /** {@code service} with every method answering an unparseable request INVALID_ARGUMENT. */
  public static ServerServiceDefinition refused(ServerServiceDefinition service) {
    ServiceDescriptor original = service.getServiceDescriptor();
    List<ServerMethodDefinition<?, ?>> methods = new ArrayList<>();
    ServiceDescriptor.Builder descriptor =
        ServiceDescriptor.newBuilder(original.getName())
            .setSchemaDescriptor(original.getSchemaDescriptor());
    for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
      ServerMethodDefinition<?, ?> wrapped = wrap(method);
      methods.add(wrapped);
      descriptor.addMethod(wrapped.getMethodDescriptor());
    }
    ServerServiceDefinition.Builder builder = ServerServiceDefinition.builder(descriptor.build());
    methods.forEach(builder::addMethod);
    return builder.build();
  }

  /** A request that did not parse, with why. */
  private record Malformed(String why) {}

  private static <Q, R> ServerMethodDefinition<Object, R> wrap(
      ServerMethodDefinition<Q, R> method) {
    MethodDescriptor<Q, R> original = method.getMethodDescriptor();
    MethodDescriptor<Object, R> descriptor =
        original.toBuilder(new Lenient<>(original), original.getResponseMarshaller()).build();
    return ServerMethodDefinition.create(descriptor, new Handler<>(method.getServerCallHandler()));
  }

  /** Parses with the method's own marshaller; a failure becomes a {@link Malformed} value. */
  private record Lenient<Q>(MethodDescriptor<Q, ?> method)
      implements MethodDescriptor.Marshaller<Object> {
    @Override
    @SuppressWarnings("unchecked")
    public InputStream stream(Object value) {
      return method.streamRequest((Q) value);
    }

    private String requestType() {
      if (method.getSchemaDescriptor() instanceof ProtoMethodDescriptorSupplier schema) {
        return schema.getMethodDescriptor().getInputType().getFullName();
      }
      return "request of " + method.getFullMethodName();
    }

    @Override
    public Object parse(InputStream stream) {
      try {
        return method.parseRequest(stream);
      } catch (RuntimeException e) {
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        return new Malformed(
            "the request is not a valid "
                + requestType()
                + ": "
                + StatusMapper.bounded(String.valueOf(cause.getMessage())));
      }
    }
  }

  private record Handler<Q, R>(ServerCallHandler<Q, R> next)
      implements ServerCallHandler<Object, R> {
    @Override
    public ServerCall.Listener<Object> startCall(ServerCall<Object, R> call, Metadata headers) {
      ServerCall.Listener<Q> listener = next.startCall(new Typed<>(call), headers);
      return new Guard<>(call, listener);
    }
  }

  /**
   * The call as the service sees it: only the request type differs, and the service never sends a
   * request, so forwarding is exact.
   */
  private static final class Typed<Q, R> extends ForwardingServerCall<Q, R> {
    private final ServerCall<Object, R> call;

    Typed(ServerCall<Object, R> call) {
      this.call = call;
    }

    @Override
    @SuppressWarnings("unchecked")
    protected ServerCall<Q, R> delegate() {
      return (ServerCall<Q, R>) (ServerCall<?, R>) call;
    }
  }

  /**
   * Passes parsed requests on; on a malformed one, cancels the service's listener, closes the call
   * with INVALID_ARGUMENT and drops what follows. Runs on the call's serialized executor.
   */
  private static final class Guard<Q, R> extends ServerCall.Listener<Object> {
    private final ServerCall<Object, R> call;
    private final ServerCall.Listener<Q> next;
    private boolean refused;

    Guard(ServerCall<Object, R> call, ServerCall.Listener<Q> next) {
      this.call = call;
      this.next = next;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void onMessage(Object message) {
      if (refused) {
        return;
      }
      if (message instanceof Malformed malformed) {
        refused = true;
        // First: the service's observers learn the call is over before the close, so a stream's
        // session ends and nothing more is sent on it.
        next.onCancel();
        call.close(Status.INVALID_ARGUMENT.withDescription(malformed.why()), new Metadata());
        return;
      }
      next.onMessage((Q) message);
    }

    @Override
    public void onHalfClose() {
      if (!refused) {
        next.onHalfClose();
      }
    }

    @Override
    public void onCancel() {
      if (!refused) {
        next.onCancel();
      }
    }

    @Override
    public void onComplete() {
      if (!refused) {
        next.onComplete();
      }
    }

    @Override
    public void onReady() {
      if (!refused) {
        next.onReady();
      }
    }
  }
}
