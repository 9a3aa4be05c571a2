package io.gpupool.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import java.security.cert.CertificateException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The messages of failed TLS handshakes, as gRPC reports them (causes copied from real runs). */
@Timeout(60)
class TlsHandshakeFailuresTest {
  /** The client SDK's wording. */
  private static final TlsHandshakeFailures.Hints HINTS =
      new TlsHandshakeFailures.Hints(
          "leave tls out",
          "the client certificate",
          "set tlsClientCertificate",
          "check the CA certificates given to tls(caFile)",
          target ->
              TlsHandshakeFailures.PLAINTEXT_TO_TLS
                  + " (if the controller serves TLS, configure the client with tls(caFile))");

  private static Status tls(Status status) {
    return TlsHandshakeFailures.explain(status, "ctl:7070", true, HINTS);
  }

  private static Status plaintext(Status status) {
    return TlsHandshakeFailures.explain(status, "ctl:7070", false, HINTS);
  }

  private static Status ioException(Throwable cause) {
    return Status.UNAVAILABLE.withDescription("io exception").withCause(cause);
  }

  @Test
  void anUntrustedServerCertificateSaysToCheckTheCa() {
    Status status =
        ioException(
            new SSLHandshakeException("General OpenSslEngine problem")
                .initCause(
                    new CertificateException(
                        "PKIX path building failed",
                        new CertificateException(
                            "unable to find valid certification path to requested target"))));

    assertThat(tls(status).getDescription())
        .isEqualTo(
            "TLS handshake with ctl:7070 failed: unable to find valid certification path to"
                + " requested target; check the CA certificates given to tls(caFile)");
    assertThat(tls(status).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(tls(status).getCause()).isSameAs(status.getCause());
  }

  @Test
  void aMissingClientCertificateSaysToSetOne() {
    Status status =
        Status.UNAVAILABLE
            .withDescription("ssl exception")
            .withCause(
                new RuntimeException(
                    new SSLException(
                        "error:1000045c:SSL routines:OPENSSL_internal:"
                            + "TLSV1_ALERT_CERTIFICATE_REQUIRED")));

    assertThat(tls(status).getDescription())
        .isEqualTo(
            "TLS handshake with ctl:7070 failed: the controller refused the client certificate, or"
                + " its lack of one (error:1000045c:SSL routines:OPENSSL_internal:"
                + "TLSV1_ALERT_CERTIFICATE_REQUIRED); it requires one signed by its"
                + " --tls-client-ca: set tlsClientCertificate");
  }

  @Test
  void aPlaintextControllerSaysSo() {
    Status status = ioException(new SSLException("not an SSL/TLS record: 0000120400"));

    assertThat(tls(status).getDescription())
        .isEqualTo(
            "TLS handshake with ctl:7070 failed: the controller does not speak TLS (it serves"
                + " plaintext, --insecure); leave tls out");
  }

  @Test
  void aPlaintextClientReachingATlsControllerGetsAHint() {
    Status status = Status.UNAVAILABLE.withDescription("Network closed for unknown reason");

    assertThat(plaintext(status).getDescription())
        .isEqualTo(
            "Network closed for unknown reason (if the controller serves TLS, configure the client"
                + " with tls(caFile))");
    assertThat(tls(status)).isSameAs(status);
  }

  @Test
  void theHintTextIsTheCallersAndNamesTheTarget() {
    TlsHandshakeFailures.Hints cli =
        new TlsHandshakeFailures.Hints(
            "leave out --tls",
            "this agent's certificate",
            "pass --tls-cert and --tls-key",
            "check --tls-ca",
            target -> "the controller at " + target + " closed the connection");
    Status refused = ioException(new SSLException("Received fatal alert: bad_certificate"));
    Status closed = Status.UNAVAILABLE.withDescription("Network closed for unknown reason");

    assertThat(TlsHandshakeFailures.explanation(refused, "a:1", true, cli))
        .contains(
            "TLS handshake with a:1 failed: the controller refused this agent's certificate, or"
                + " its lack of one (Received fatal alert: bad_certificate); it requires one"
                + " signed by its --tls-client-ca: pass --tls-cert and --tls-key");
    assertThat(TlsHandshakeFailures.explanation(closed, "a:1", false, cli))
        .contains("the controller at a:1 closed the connection");
  }

  @Test
  void otherFailuresPassUnchanged() {
    Status refused = ioException(new java.net.ConnectException("Connection refused"));
    Status notFound = Status.NOT_FOUND.withDescription("task t-1 not found");

    assertThat(tls(refused)).isSameAs(refused);
    assertThat(tls(notFound)).isSameAs(notFound);
    assertThat(TlsHandshakeFailures.explanation(refused, "ctl:7070", true, HINTS)).isEmpty();
    assertThat(TlsHandshakeFailures.explanation(notFound, "ctl:7070", false, HINTS)).isEmpty();
  }
}
