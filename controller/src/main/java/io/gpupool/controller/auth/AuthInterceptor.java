package io.gpupool.controller.auth;

import io.gpupool.proto.v1.Role;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides, before any service sees a call, whether it may proceed: authenticates the bearer token
 * ({@code authorization: Bearer <secret>}, the scheme in any case), applies the token's rate limit,
 * checks the {@link AccessPolicy} table, and binds the caller's {@link Principal} to the call's
 * {@link Context}. Records refused calls, and the calls {@link AuditedCalls} names, in the {@link
 * AuditLog}.
 *
 * <p>Answers: no or an invalid token, UNAUTHENTICATED; a role the table does not allow, or an RPC
 * missing from the table, PERMISSION_DENIED; an exhausted rate limit, RESOURCE_EXHAUSTED. Every
 * message says what to do; none carries a secret or a stack trace. With authentication off every
 * call runs as {@link Principal#UNAUTHENTICATED_ADMIN} and is audited the same way.
 *
 * <p>Thread-safe.
 */
public final class AuthInterceptor implements ServerInterceptor {
  private static final Logger log = LoggerFactory.getLogger(AuthInterceptor.class);

  /** The metadata key of bearer tokens. */
  public static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private static final String HOW_TO_AUTHENTICATE =
      "send 'authorization: Bearer <token>' (CLI: --token or GPUPOOL_TOKEN; SDK:"
          + " GpuPoolClient.builder().token(...)); the controller's first admin token is in its"
          + " DATA_DIR/admin.token";

  private final AccessPolicy policy;
  private final TokenRegistry tokens;
  private final RateLimiter limiter;
  private final AuditLog audit;

  private AuthInterceptor(
      AccessPolicy policy, TokenRegistry tokens, RateLimiter limiter, AuditLog audit) {
    this.policy = policy;
    this.tokens = tokens;
    this.limiter = limiter;
    this.audit = audit;
  }

  /**
   * Authentication on: every call that the table does not open needs a valid token.
   *
   * @param limiter the per-token rate limit; null for none
   */
  public static AuthInterceptor enforcing(
      AccessPolicy policy, TokenRegistry tokens, RateLimiter limiter, AuditLog audit) {
    return new AuthInterceptor(policy, tokens, limiter, audit);
  }

  /** Authentication off: every caller is an admin; calls are still audited. */
  public static AuthInterceptor permissive(AccessPolicy policy, AuditLog audit) {
    return new AuthInterceptor(policy, null, null, audit);
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    String peer = peer(call);
    Optional<AccessPolicy.Rule> found = policy.rule(method);
    if (found.isEmpty()) {
      log.error("refused {}: the access table has no rule for it", method);
      return refuse(
          call,
          null,
          Status.PERMISSION_DENIED.withDescription(method + " is not open to any caller"),
          peer);
    }
    AccessPolicy.Rule rule = found.get();
    if (rule.check() == AccessPolicy.Check.OPEN) {
      return next.startCall(call, headers);
    }
    if (rule.check() == AccessPolicy.Check.IN_REQUEST) {
      return serve(call, headers, next, null, method, peer);
    }
    if (tokens == null) {
      return serve(call, headers, next, Principal.UNAUTHENTICATED_ADMIN, method, peer);
    }
    String header = headers.get(AUTHORIZATION);
    if (header == null) {
      return refuse(
          call,
          null,
          Status.UNAUTHENTICATED.withDescription("this call needs a token: " + HOW_TO_AUTHENTICATE),
          peer);
    }
    String secret = bearerSecret(header);
    if (secret == null) {
      return refuse(
          call,
          null,
          Status.UNAUTHENTICATED.withDescription(
              "the authorization metadata is not 'Bearer <token>': " + HOW_TO_AUTHENTICATE),
          peer);
    }
    Authentication authentication = tokens.authenticate(secret);
    if (authentication instanceof Authentication.Refused refused) {
      Principal known = tokens.find(refused.tokenId()).map(Principal::of).orElse(null);
      return refuse(call, known, Status.UNAUTHENTICATED.withDescription(refused.reason()), peer);
    }
    Principal principal = Principal.of(((Authentication.Accepted) authentication).token());
    if (limiter != null && !limiter.tryAcquire(principal.tokenId())) {
      call.close(
          Status.RESOURCE_EXHAUSTED.withDescription(
              "rate limit of "
                  + limiter.perSecond()
                  + " requests/s for token "
                  + principal.tokenId()
                  + " exceeded; retry later"),
          new Metadata());
      return new ServerCall.Listener<>() {};
    }
    if (!rule.allows(principal.role())) {
      boolean adminOnly = rule.roles().equals(Set.of(Role.ROLE_ADMIN));
      return refuse(
          call,
          principal,
          Status.PERMISSION_DENIED.withDescription(
              method
                  + " needs role "
                  + Roles.names(rule.roles())
                  + "; token "
                  + principal.tokenId()
                  + " has role "
                  + Roles.name(principal.role())
                  + (adminOnly
                      ? "; ask an admin to do it, or for an admin token"
                      : "; ask an admin for a token with that role")),
          peer);
    }
    return serve(call, headers, next, principal, method, peer);
  }

  /** The secret of {@code Bearer <secret>}; null when the value has another form. */
  static String bearerSecret(String header) {
    String value = header.strip();
    int space = value.indexOf(' ');
    if (space < 0 || !value.substring(0, space).equalsIgnoreCase("bearer")) {
      return null;
    }
    String secret = value.substring(space + 1).strip();
    return secret.isEmpty() ? null : secret;
  }

  private <Q, R> ServerCall.Listener<Q> serve(
      ServerCall<Q, R> call,
      Metadata headers,
      ServerCallHandler<Q, R> next,
      Principal principal,
      String method,
      String peer) {
    AuditedCalls.Target target = AuditedCalls.of(method).orElse(null);
    AuditingCall<Q, R> audited = new AuditingCall<>(call, principal, method, peer, target);
    ServerCall.Listener<Q> listener =
        principal == null
            ? next.startCall(audited, headers)
            : Contexts.interceptCall(principal.bindTo(Context.current()), audited, headers, next);
    if (target == null || target.fromRequest() == null) {
      return listener;
    }
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
      @Override
      public void onMessage(Q message) {
        audited.request = message;
        super.onMessage(message);
      }
    };
  }

  private <Q, R> ServerCall.Listener<Q> refuse(
      ServerCall<Q, R> call, Principal caller, Status status, String peer) {
    audit.record(
        caller, call.getMethodDescriptor().getFullMethodName(), "", status.getCode(), peer);
    call.close(status, new Metadata());
    return new ServerCall.Listener<>() {};
  }

  private static String peer(ServerCall<?, ?> call) {
    SocketAddress address = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
    if (address instanceof InetSocketAddress inet) {
      return inet.getHostString() + ":" + inet.getPort();
    }
    return address == null ? "" : address.toString();
  }

  /** Records the call when it closes, if it is audited or was refused by the service. */
  private final class AuditingCall<Q, R>
      extends ForwardingServerCall.SimpleForwardingServerCall<Q, R> {
    private final Principal caller;
    private final String method;
    private final String peer;
    private final AuditedCalls.Target target;
    volatile Object request;
    private volatile Object response;

    AuditingCall(
        ServerCall<Q, R> call,
        Principal caller,
        String method,
        String peer,
        AuditedCalls.Target target) {
      super(call);
      this.caller = caller;
      this.method = method;
      this.peer = peer;
      this.target = target;
    }

    @Override
    public void sendMessage(R message) {
      if (target != null && response == null) {
        response = message;
      }
      super.sendMessage(message);
    }

    @Override
    public void close(Status status, Metadata trailers) {
      Status.Code code = status.getCode();
      if (target != null
          || code == Status.Code.UNAUTHENTICATED
          || code == Status.Code.PERMISSION_DENIED) {
        audit.record(
            caller, method, target == null ? "" : target.of(request, response), code, peer);
      }
      super.close(status, trailers);
    }
  }
}
