package io.gpupool.wire;

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
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;

/**
 * Explains the {@code UNAVAILABLE} of a failed TLS handshake, which gRPC describes only as "io
 * exception" or "ssl exception": what went wrong and which option to check, e.g. {@code TLS
 * handshake with ctl:7070 failed: unable to find valid certification path to requested target;
 * check --tls-ca}. The wording of what to check comes from the caller's {@link Hints}. Other
 * statuses are left alone. Stateless and thread-safe.
 */
public final class TlsHandshakeFailures {
  /** What a plaintext client sees when the controller it reached speaks TLS. */
  public static final String PLAINTEXT_TO_TLS = "Network closed for unknown reason";

  /** TLS alerts by which a server refuses the client's certificate, or its lack of one. */
  private static final Pattern CLIENT_CERTIFICATE_REFUSED =
      Pattern.compile(
          "certificate_required|bad_certificate|unknown_ca|certificate_unknown",
          Pattern.CASE_INSENSITIVE);

  private TlsHandshakeFailures() {}

  /**
   * The per-client wording of what to check, in the client's own option names.
   *
   * @param leaveOutTls what to do when the controller serves plaintext, e.g. {@code leave tls out}
   * @param clientCertificate how to call the client's certificate, e.g. {@code the client
   *     certificate}
   * @param setClientCertificate how to give a client certificate, e.g. {@code pass --tls-cert and
   *     --tls-key}
   * @param checkCa what to check when the controller's certificate is not trusted, e.g. {@code
   *     check --tls-ca}
   * @param plaintextToTls the whole description, given the target, when a plaintext client reached
   *     a controller that seems to speak TLS
   */
  public record Hints(
      String leaveOutTls,
      String clientCertificate,
      String setClientCertificate,
      String checkCa,
      UnaryOperator<String> plaintextToTls) {
    /** Checks that no hint is null. */
    public Hints {
      Objects.requireNonNull(leaveOutTls, "leaveOutTls");
      Objects.requireNonNull(clientCertificate, "clientCertificate");
      Objects.requireNonNull(setClientCertificate, "setClientCertificate");
      Objects.requireNonNull(checkCa, "checkCa");
      Objects.requireNonNull(plaintextToTls, "plaintextToTls");
    }
  }

  /**
   * The explanation of a failed call to {@code target} when a TLS mismatch caused it; empty for any
   * other failure.
   *
   * @param tls whether the client talked TLS
   */
  public static Optional<String> explanation(
      Status status, String target, boolean tls, Hints hints) {
    if (status.getCode() != Status.Code.UNAVAILABLE) {
      return Optional.empty();
    }
    for (Throwable cause = status.getCause(); cause != null; cause = cause.getCause()) {
      if (cause instanceof SSLException) {
        return Optional.of(
            "TLS handshake with " + target + " failed: " + reason(rootOf(cause), hints));
      }
    }
    if (!tls && PLAINTEXT_TO_TLS.equals(status.getDescription())) {
      return Optional.of(hints.plaintextToTls().apply(target));
    }
    return Optional.empty();
  }

  /**
   * The status with its description replaced by the {@link #explanation} when there is one (code
   * and cause kept); otherwise the same status.
   *
   * @param tls whether the client talked TLS
   */
  public static Status explain(Status status, String target, boolean tls, Hints hints) {
    return explanation(status, target, tls, hints).map(status::withDescription).orElse(status);
  }

  /**
   * An interceptor that passes every closing status of a call through {@link #explain}.
   *
   * @param tls whether the channel talks TLS
   */
  public static ClientInterceptor interceptor(String target, boolean tls, Hints hints) {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(hints, "hints");
    return new ClientInterceptor() {
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
                    super.onClose(explain(status, target, tls, hints), trailers);
                  }
                },
                headers);
          }
        };
      }
    };
  }

  private static String reason(Throwable root, Hints hints) {
    String message = Objects.requireNonNullElse(root.getMessage(), root.toString());
    if (message.startsWith("not an SSL/TLS record")) {
      return "the controller does not speak TLS (it serves plaintext, --insecure); "
          + hints.leaveOutTls();
    }
    if (CLIENT_CERTIFICATE_REFUSED.matcher(message).find()) {
      return "the controller refused "
          + hints.clientCertificate()
          + ", or its lack of one ("
          + message
          + "); it requires one signed by its --tls-client-ca: "
          + hints.setClientCertificate();
    }
    return message + "; " + hints.checkCa();
  }

  private static Throwable rootOf(Throwable throwable) {
    Throwable root = throwable;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root;
  }
}
