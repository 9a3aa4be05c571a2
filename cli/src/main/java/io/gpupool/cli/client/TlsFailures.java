package io.gpupool.cli.client;

import io.grpc.Status;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;

/**
 * Explains an {@code UNAVAILABLE} that a TLS mismatch caused, which gRPC describes only as "io
 * exception" or "ssl exception": what went wrong in the handshake and which flag to check.
 * Stateless.
 */
public final class TlsFailures {
  /** What a plaintext client sees when the controller it reached speaks TLS. */
  private static final String PLAINTEXT_TO_TLS = "Network closed for unknown reason";

  /** TLS alerts by which a server refuses the client's certificate, or its lack of one. */
  private static final Pattern CLIENT_CERTIFICATE_REFUSED =
      Pattern.compile(
          "certificate_required|bad_certificate|unknown_ca|certificate_unknown",
          Pattern.CASE_INSENSITIVE);

  private TlsFailures() {}

  /**
   * The message for a call to {@code address} that failed with {@code status}, when TLS is why,
   * e.g. {@code TLS handshake with ctl:7070 failed: unable to find valid certification path to
   * requested target; check --tls-ca}; empty for any other failure.
   *
   * @param tls whether the CLI talked TLS
   */
  public static Optional<String> explain(Status status, String address, boolean tls) {
    if (status.getCode() != Status.Code.UNAVAILABLE) {
      return Optional.empty();
    }
    for (Throwable cause = status.getCause(); cause != null; cause = cause.getCause()) {
      if (cause instanceof SSLException) {
        return Optional.of("TLS handshake with " + address + " failed: " + reason(rootOf(cause)));
      }
    }
    if (!tls && PLAINTEXT_TO_TLS.equals(status.getDescription())) {
      return Optional.of(
          "the controller at "
              + address
              + " closed the connection ("
              + PLAINTEXT_TO_TLS
              + "); if it serves TLS, pass --tls-ca FILE (env GPUPOOL_TLS_CA) or --tls");
    }
    return Optional.empty();
  }

  private static String reason(Throwable root) {
    String message = Objects.requireNonNullElse(root.getMessage(), root.toString());
    if (message.startsWith("not an SSL/TLS record")) {
      return "the controller does not speak TLS (it serves plaintext, --insecure); leave out"
          + " --tls, --tls-ca and --tls-cert";
    }
    if (CLIENT_CERTIFICATE_REFUSED.matcher(message).find()) {
      return "the controller refused the client certificate, or its lack of one ("
          + message
          + "); it requires one signed by its --tls-client-ca: pass --tls-cert and --tls-key";
    }
    return message + "; check --tls-ca";
  }

  private static Throwable rootOf(Throwable throwable) {
    Throwable root = throwable;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root;
  }
}
