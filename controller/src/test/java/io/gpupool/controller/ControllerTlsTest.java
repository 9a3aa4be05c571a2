package io.gpupool.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpupool.controller.testing.StderrCapture;
import io.gpupool.controller.testing.TestCertificates;
import io.gpupool.controller.testing.TestCertificates.CertificateFiles;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The gRPC port over TLS and mutual TLS, and what it takes to serve plaintext. */
@Timeout(60)
class ControllerTlsTest {
  @TempDir static Path certs;
  @TempDir Path dir;

  private static TestCertificates ca;
  private static TestCertificates otherCa;
  private static CertificateFiles server;
  private static CertificateFiles client;
  private static CertificateFiles strangerClient;

  @BeforeAll
  static void makeCertificates() throws IOException {
    ca = TestCertificates.newCa(certs.resolve("ca"), "test-ca");
    otherCa = TestCertificates.newCa(certs.resolve("other"), "other-ca");
    server = ca.issue("server", "DNS:localhost", "IP:127.0.0.1");
    client = ca.issue("agent-1");
    strangerClient = otherCa.issue("stranger");
  }

  private ControllerConfig.Builder config() {
    return ControllerConfig.builder()
        .host("127.0.0.1")
        .grpcPort(0)
        .httpPort(-1)
        .dataDir(dir.resolve("data"))
        .joinToken("token");
  }

  private ControllerConfig.Builder tls() {
    return config().tls(server.certificate(), server.privateKey());
  }

  @Test
  void withoutTlsOrInsecureTheConfigIsRefusedSayingWhichFlagsToPass() {
    assertThatThrownBy(() -> config().build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "the gRPC port needs TLS: pass --tls-cert FILE and --tls-key FILE (PEM), or --insecure"
                + " to serve plaintext that anyone on the network can use");
  }

  @Test
  void tlsAndInsecureTogetherAreRefused() {
    assertThatThrownBy(() -> tls().insecure(true).build())
        .hasMessage(
            "--insecure serves plaintext: leave it out when serving TLS with --tls-cert and"
                + " --tls-key");
  }

  @Test
  void aClientTrustingTheCaIsServedOverTls() throws Exception {
    try (Controller controller = Controller.start(tls().build())) {
      assertThat(health(controller, trusting(ca.caCertificate()))).isEqualTo(ServingStatus.SERVING);
    }
  }

  @Test
  void aClientTrustingAnotherCaFailsTheHandshake() throws Exception {
    try (Controller controller = Controller.start(tls().build())) {
      assertHandshakeFails(controller, trusting(otherCa.caCertificate()));
    }
  }

  @Test
  void aPlaintextClientIsNotServedByATlsController() throws Exception {
    try (Controller controller = Controller.start(tls().build())) {
      assertThatThrownBy(() -> health(controller, InsecureChannelCredentials.create()))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    }
  }

  @Test
  void withAClientCaOnlyClientsWithACertificateSignedByItAreServed() throws Exception {
    try (Controller controller = Controller.start(tls().tlsClientCa(ca.caCertificate()).build())) {
      assertThat(health(controller, presenting(client))).isEqualTo(ServingStatus.SERVING);
      assertHandshakeFails(controller, trusting(ca.caCertificate()));
      assertHandshakeFails(controller, presenting(strangerClient));
    }
  }

  @Test
  void anUnusableTlsFileFailsTheStartBeforeAnythingIsOpened() {
    Path missing = dir.resolve("missing.key");

    assertThatThrownBy(() -> Controller.start(config().tls(server.certificate(), missing).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--tls-key " + missing + ": no such file");
    assertThat(dir.resolve("data")).doesNotExist();
  }

  @Test
  void insecureOnAllInterfacesLogsAWarningNamingTheTlsFlags() throws Exception {
    try (StderrCapture err = new StderrCapture();
        Controller controller = Controller.start(config().host("0.0.0.0").insecure(true).build())) {
      assertThat(err.text())
          .contains("WARN")
          .contains(
              "serving plaintext gRPC on 0.0.0.0:"
                  + controller.grpcPort()
                  + " (--insecure): anyone on the network can submit tasks, read their output and"
                  + " register agents; serve TLS with --tls-cert and --tls-key");
    }
  }

  @Test
  void insecureOnLoopbackOnlyDoesNotWarn() throws Exception {
    try (StderrCapture err = new StderrCapture();
        Controller controller = Controller.start(config().insecure(true).build())) {
      assertThat(err.text())
          .doesNotContain("WARN")
          .contains(
              "serving plaintext gRPC on loopback (127.0.0.1:"
                  + controller.grpcPort()
                  + "): only processes on this machine can connect");
      assertThat(health(controller, InsecureChannelCredentials.create()))
          .isEqualTo(ServingStatus.SERVING);
    }
  }

  private static ChannelCredentials trusting(Path caFile) throws IOException {
    return TlsChannelCredentials.newBuilder().trustManager(caFile.toFile()).build();
  }

  private static ChannelCredentials presenting(CertificateFiles files) throws IOException {
    return TlsChannelCredentials.newBuilder()
        .trustManager(ca.caCertificate().toFile())
        .keyManager(files.certificate().toFile(), files.privateKey().toFile())
        .build();
  }

  private static ServingStatus health(Controller controller, ChannelCredentials credentials)
      throws InterruptedException {
    ManagedChannel channel =
        Grpc.newChannelBuilder("localhost:" + controller.grpcPort(), credentials).build();
    try {
      return HealthGrpc.newBlockingStub(channel)
          .withDeadlineAfter(10, TimeUnit.SECONDS)
          .check(HealthCheckRequest.getDefaultInstance())
          .getStatus();
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** The call fails as UNAVAILABLE because the TLS handshake failed, not for another reason. */
  private static void assertHandshakeFails(Controller controller, ChannelCredentials credentials) {
    assertThatThrownBy(() -> health(controller, credentials))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
              assertThat(hasSslCause(e.getStatus().getCause()))
                  .as("an SSLException among the causes of %s", e.getStatus())
                  .isTrue();
            });
  }

  private static boolean hasSslCause(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof SSLException) {
        return true;
      }
    }
    return false;
  }
}
