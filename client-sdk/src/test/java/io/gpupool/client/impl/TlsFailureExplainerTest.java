package io.gpupool.client.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import java.security.cert.CertificateException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The messages of failed TLS handshakes, as gRPC reports them (causes copied from real runs). */
@Timeout(60)
class TlsFailureExplainerTest {
  private final TlsFailureExplainer tls = new TlsFailureExplainer("ctl:7070", true);
  private final TlsFailureExplainer plaintext = new TlsFailureExplainer("ctl:7070", false);

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

    assertThat(tls.explain(status).getDescription())
        .isEqualTo(
            "TLS handshake with ctl:7070 failed: unable to find valid certification path to"
                + " requested target; check the CA certificates given to tls(caFile)");
    assertThat(tls.explain(status).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(tls.explain(status).getCause()).isSameAs(status.getCause());
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

    assertThat(tls.explain(status).getDescription())
        .isEqualTo(
            "TLS handshake with ctl:7070 failed: the controller refused the client certificate, or"
                + " its lack of one (error:1000045c:SSL routines:OPENSSL_internal:"
                + "TLSV1_ALERT_CERTIFICATE_REQUIRED); it requires one signed by its"
                + " --tls-client-ca: set tlsClientCertificate");
  }

  @Test
  void aPlaintextControllerSaysSo() {
    Status status = ioException(new SSLException("not an SSL/TLS record: 0000120400"));

    assertThat(tls.explain(status).getDescription())
        .isEqualTo(
            "TLS handshake with ctl:7070 failed: the controller does not speak TLS (it serves"
                + " plaintext, --insecure); leave tls out");
  }

  @Test
  void aPlaintextClientReachingATlsControllerGetsAHint() {
    Status status = Status.UNAVAILABLE.withDescription("Network closed for unknown reason");

    assertThat(plaintext.explain(status).getDescription())
        .isEqualTo(
            "Network closed for unknown reason (if the controller serves TLS, configure the client"
                + " with tls(caFile))");
    assertThat(tls.explain(status)).isSameAs(status);
  }

  @Test
  void otherFailuresPassUnchanged() {
    Status refused = ioException(new java.net.ConnectException("Connection refused"));
    Status notFound = Status.NOT_FOUND.withDescription("task t-1 not found");

    assertThat(tls.explain(refused)).isSameAs(refused);
    assertThat(tls.explain(notFound)).isSameAs(notFound);
  }
}
