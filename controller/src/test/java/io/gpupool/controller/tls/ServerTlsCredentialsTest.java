package io.gpupool.controller.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpupool.controller.testing.TestCertificates;
import io.gpupool.controller.testing.TestCertificates.CertificateFiles;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Reading the controller's TLS files: what works, and the message for each way it does not. */
@Timeout(60)
class ServerTlsCredentialsTest {
  @TempDir static Path dir;
  private static TestCertificates ca;
  private static CertificateFiles server;
  private static CertificateFiles other;

  @BeforeAll
  static void makeCertificates() throws Exception {
    ca = TestCertificates.newCa(dir.resolve("ca"), "test-ca");
    server = ca.issue("server", "DNS:localhost", "IP:127.0.0.1");
    other = ca.issue("other", "DNS:other");
  }

  private static ServerTlsCredentials load(Path cert, Path key, Path clientCa) {
    return ServerTlsCredentials.load(new ServerTls(cert, key, clientCa), Instant.now());
  }

  @Test
  void aCertificateWithItsKeyLoadsAndTheSummaryNamesItsSubjectAlternativeNames() {
    ServerTlsCredentials tls = load(server.certificate(), server.privateKey(), null);

    assertThat(tls.credentials()).isNotNull();
    assertThat(tls.summary()).startsWith("TLS with the certificate for localhost, 127.0.0.1");
  }

  @Test
  void aClientCaMakesTheSummarySayClientCertificatesAreRequired() {
    ServerTlsCredentials tls = load(server.certificate(), server.privateKey(), ca.caCertificate());

    assertThat(tls.summary())
        .endsWith("; every client must present a certificate signed by CN=test-ca");
  }

  @Test
  void aMissingFileIsNamedWithItsFlag() {
    Path missing = dir.resolve("missing.pem");

    assertThatThrownBy(() -> load(missing, server.privateKey(), null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--tls-cert " + missing + ": no such file");
    assertThatThrownBy(() -> load(server.certificate(), missing, null))
        .hasMessage("--tls-key " + missing + ": no such file");
    assertThatThrownBy(() -> load(server.certificate(), server.privateKey(), missing))
        .hasMessage("--tls-client-ca " + missing + ": no such file");
  }

  @Test
  void aFileWithoutACertificateIsRefusedNamingTheFlag() {
    assertThatThrownBy(() -> load(server.privateKey(), server.privateKey(), null))
        .hasMessage(
            "--tls-cert "
                + server.privateKey()
                + ": no PEM certificate in it (expected -----BEGIN CERTIFICATE-----)");
    assertThatThrownBy(() -> load(server.certificate(), server.certificate(), null))
        .hasMessage(
            "--tls-key "
                + server.certificate()
                + ": no PEM private key in it (expected -----BEGIN PRIVATE KEY-----)");
  }

  @Test
  void theKeyOfAnotherCertificateIsRefused() {
    assertThatThrownBy(() -> load(server.certificate(), other.privateKey(), null))
        .hasMessage(
            "--tls-key "
                + other.privateKey()
                + ": not the private key of the certificate in --tls-cert "
                + server.certificate());
  }

  @Test
  void aKeyInTheTraditionalFormatIsRefusedWithTheCommandThatConvertsIt() throws Exception {
    Path traditional = ca.traditionalCopyOf(server.privateKey());

    assertThatThrownBy(() -> load(server.certificate(), traditional, null))
        .hasMessage(
            "--tls-key "
                + traditional
                + ": the key is in the traditional format (-----BEGIN EC PRIVATE KEY-----);"
                + " gpupool reads PKCS#8 (-----BEGIN PRIVATE KEY-----): convert it with openssl"
                + " pkcs8 -topk8 -nocrypt -in "
                + traditional
                + " -out KEY.pem");
  }

  @Test
  void anExpiredCertificateIsRefused() {
    Instant later = Instant.now().plus(Duration.ofDays(3));

    assertThatThrownBy(
            () ->
                ServerTlsCredentials.load(
                    new ServerTls(server.certificate(), server.privateKey(), null), later))
        .hasMessageStartingWith(
            "--tls-cert " + server.certificate() + ": the certificate expired at ")
        .hasMessageEndingWith("; renew it");
  }

  @Test
  void theFlagsGoTogether() {
    assertThat(ServerTls.fromFlags(null, null, null)).isNull();
    assertThatThrownBy(() -> ServerTls.fromFlags(Path.of("c.pem"), null, null))
        .hasMessage("--tls-key is missing: --tls-cert and --tls-key go together");
    assertThatThrownBy(() -> ServerTls.fromFlags(null, Path.of("k.pem"), null))
        .hasMessage("--tls-cert is missing: --tls-cert and --tls-key go together");
    assertThatThrownBy(() -> ServerTls.fromFlags(null, null, Path.of("ca.pem")))
        .hasMessage(
            "--tls-client-ca needs --tls-cert and --tls-key: mutual TLS is TLS with client"
                + " certificates");
  }
}
