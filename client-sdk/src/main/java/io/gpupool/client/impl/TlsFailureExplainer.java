package io.gpupool.client.impl;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall.SimpleForwardingClientCall;
import io.grpc.ForwardingClientCallListener.SimpleForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.util.Objects;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;

/**
 * Rewrites the {@code UNAVAILABLE} of a failed TLS handshake, which gRPC describes only as "io
 * exception" or "ssl exception", into what went wrong and which option to check, e.g. {@code TLS
 * handshake with ctl:7070 failed: unable to find valid certification path to requested target;
 * check the CA certificates given to tls(caFile)}. Other statuses pass unchanged. Stateless and
 * thread-safe.
 */
final class TlsFailureExplainer implements ClientInterceptor {
  /** What a plaintext client sees when the controller it reached speaks TLS. */
  static final String PLAINTEXT_TO_TLS = "Network closed for unknown reason";

  /** TLS alerts by which a server refuses the client's certificate, or its lack of one. */
  private static final Pattern CLIENT_CERTIFICATE_REFUSED =
      Pattern.compile(
          "certificate_required|bad_certificate|unknown_ca|certificate_unknown",
          Pattern.CASE_INSENSITIVE);

  private final String target;
  private final boolean tls;

  TlsFailureExplainer(String target, boolean tls) {
    this.target = target;
    this.tls = tls;
  }

  @Override
  public <Q, R> ClientCall<Q, R> interceptCall(
      MethodDescriptor<Q, R> method, CallOptions callOptions, Channel next) {
    return new SimpleForwardingClientCall<>(next.newCall(method, callOptions)) {
      @Override
      public void start(Listener<R> listener, Metadata headers) {
        super.start(
            new SimpleForwardingClientCallListener<>(listener) {
              @Override
              public void onClose(Status status, Metadata trailers) {
                super.onClose(explain(status), trailers);
              }
            },
            headers);
      }
    };
  }

  /** The status with a description a user can act on when a TLS mismatch caused it. */
  Status explain(Status status) {
    if (status.getCode() != Status.Code.UNAVAILABLE) {
      return status;
    }
    for (Throwable cause = status.getCause(); cause != null; cause = cause.getCause()) {
      if (cause instanceof SSLException) {
        return status.withDescription(
            "TLS handshake with " + target + " failed: " + reason(rootOf(cause)));
      }
    }
    if (!tls && PLAINTEXT_TO_TLS.equals(status.getDescription())) {
      return status.withDescription(
          PLAINTEXT_TO_TLS
              + " (if the controller serves TLS, configure the client with tls(caFile))");
    }
    return status;
  }

  private static String reason(Throwable root) {
    String message = Objects.requireNonNullElse(root.getMessage(), root.toString());
    if (message.startsWith("not an SSL/TLS record")) {
      return "the controller does not speak TLS (it serves plaintext, --insecure); leave tls out";
    }
    if (CLIENT_CERTIFICATE_REFUSED.matcher(message).find()) {
      return "the controller refused the client certificate, or its lack of one ("
          + message
          + "); it requires one signed by its --tls-client-ca: set tlsClientCertificate";
    }
    return message + "; check the CA certificates given to tls(caFile)";
  }

  private static Throwable rootOf(Throwable throwable) {
    Throwable root = throwable;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root;
  }
}
