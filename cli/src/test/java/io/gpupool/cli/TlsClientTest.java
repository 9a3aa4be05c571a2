package io.gpupool.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpupool.controller.Controller;
import io.gpupool.controller.ControllerConfig;
import io.gpupool.controller.testing.TestCertificates;
import io.gpupool.controller.testing.TestCertificates.CertificateFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The client commands' {@code --tls*} flags against real controllers: one serving TLS, one
 * requiring client certificates, one serving plaintext.
 */
@Timeout(120)
class TlsClientTest {
  @TempDir static Path dir;

  private static TestCertificates ca;
  private static TestCertificates otherCa;
  private static CertificateFiles client;
  private static Controller tls;
  private static Controller mutual;
  private static Controller plaintext;

  /** What one run of the command printed, and its exit code. */
  private record Result(int exitCode, String out, String err) {}

  @BeforeAll
  static void startControllers() throws Exception {
    ca = TestCertificates.newCa(dir.resolve("ca"), "test-ca");
    otherCa = TestCertificates.newCa(dir.resolve("other"), "other-ca");
    CertificateFiles server = ca.issue("server", "DNS:localhost", "IP:127.0.0.1");
    client = ca.issue("cli-user");
    tls = Controller.start(config("tls").tls(server.certificate(), server.privateKey()).build());
    mutual =
        Controller.start(
            config("mutual")
                .tls(server.certificate(), server.privateKey())
                .tlsClientCa(ca.caCertificate())
                .build());
    plaintext = Controller.start(config("plaintext").insecure(true).build());
  }

  @AfterAll
  static void stopControllers() {
    for (Controller controller : new Controller[] {tls, mutual, plaintext}) {
      if (controller != null) {
        controller.close();
      }
    }
  }

  private static ControllerConfig.Builder config(String name) {
    return ControllerConfig.builder()
        .host("127.0.0.1")
        .grpcPort(0)
        .httpPort(-1)
        .dataDir(dir.resolve(name))
        .joinToken("j");
  }

  private static String admin(Controller controller) {
    String name = controller == tls ? "tls" : controller == mutual ? "mutual" : "plaintext";
    try {
      return Files.readString(dir.resolve(name).resolve("admin.token")).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String address(Controller controller) {
    return "localhost:" + controller.grpcPort();
  }

  private static Result nodes(Controller controller, String... flags) {
    // Authentication is always on: present the controller's admin token, as a user would.
    List<String> args =
        new ArrayList<>(
            List.of("nodes", "--controller", address(controller), "--token", admin(controller)));
    args.addAll(List.of(flags));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exitCode =
        new CommandLine(new GpuPoolCommand())
            .setOut(new PrintWriter(out))
            .setErr(new PrintWriter(err))
            .execute(args.toArray(String[]::new));
    return new Result(exitCode, out.toString(), err.toString());
  }

  @Test
  void withTheCaTheCommandTalksTls() {
    Result result = nodes(tls, "--tls-ca", ca.caCertificate().toString());

    assertThat(result.exitCode()).as(result.err()).isZero();
  }

  @Test
  void anotherCaFailsWithTheHandshakeReasonAndTheFlagToCheck() {
    Result result = nodes(tls, "--tls-ca", otherCa.caCertificate().toString());

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err())
        .isEqualTo(
            "error: UNAVAILABLE: TLS handshake with "
                + address(tls)
                + " failed: unable to find valid certification path to requested target; check"
                + " --tls-ca"
                + System.lineSeparator());
  }

  @Test
  void aPlaintextCommandToATlsControllerIsToldToPassTheCa() {
    Result result = nodes(tls);

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err())
        .isEqualTo(
            "error: UNAVAILABLE: the controller at "
                + address(tls)
                + " closed the connection (Network closed for unknown reason); if it serves TLS,"
                + " pass --tls-ca FILE (env GPUPOOL_TLS_CA) or --tls"
                + System.lineSeparator());
  }

  @Test
  void aTlsCommandToAPlaintextControllerIsToldItDoesNotSpeakTls() {
    Result result = nodes(plaintext, "--tls-ca", ca.caCertificate().toString());

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err())
        .isEqualTo(
            "error: UNAVAILABLE: TLS handshake with "
                + address(plaintext)
                + " failed: the controller does not speak TLS (it serves plaintext, --insecure);"
                + " leave out --tls, --tls-ca and --tls-cert"
                + System.lineSeparator());
  }

  @Test
  void aControllerRequiringClientCertificatesServesOnlyCommandsThatPresentOne() {
    Result with =
        nodes(
            mutual,
            "--tls-ca",
            ca.caCertificate().toString(),
            "--tls-cert",
            client.certificate().toString(),
            "--tls-key",
            client.privateKey().toString());
    Result without = nodes(mutual, "--tls-ca", ca.caCertificate().toString());

    assertThat(with.exitCode()).as(with.err()).isZero();
    assertThat(without.exitCode()).isEqualTo(1);
    assertThat(without.err())
        .startsWith(
            "error: UNAVAILABLE: TLS handshake with "
                + address(mutual)
                + " failed: the controller refused the client certificate, or its lack of one (")
        .endsWith(
            "); it requires one signed by its --tls-client-ca: pass --tls-cert and --tls-key"
                + System.lineSeparator());
  }

  @Test
  void aMissingTlsFileIsAUsageErrorNamingTheFlag() {
    Path missing = dir.resolve("missing.pem");

    Result result = nodes(tls, "--tls-ca", missing.toString());
    Result keyless = nodes(tls, "--tls-cert", client.certificate().toString());

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).startsWith("--tls-ca " + missing + ": no such file");
    assertThat(keyless.exitCode()).isEqualTo(2);
    assertThat(keyless.err())
        .startsWith("--tls-key is missing: --tls-cert and --tls-key go together");
  }
}
