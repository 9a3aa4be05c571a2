package io.gpupool.cli.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.gpupool.cli.GpuPoolCommand;
import io.gpupool.controller.Controller;
import io.gpupool.controller.ControllerConfig;
import io.gpupool.controller.testing.TestCertificates;
import io.gpupool.controller.tls.ServerTls;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code gpupool controller}: its flags, and how it fails and exits. */
@Timeout(60)
class ControllerCommandTest {
  @TempDir Path dir;

  private static ControllerCommand parse(String... args) {
    ControllerCommand command = new ControllerCommand();
    new CommandLine(command).parseArgs(args);
    return command;
  }

  @Test
  void theAdvertisedAddressIsTakenFromItsFlagAndValidatedNamingIt() {
    ControllerConfig config =
        parse(
                "--join-token",
                "j",
                "--data-dir",
                "/d",
                "--insecure",
                "--advertise-address",
                "ctl-1:7070")
            .config();
    assertThat(config.advertiseAddress()).isEqualTo("ctl-1:7070");
    assertThat(
            parse("--join-token", "j", "--data-dir", "/d", "--insecure")
                .config()
                .advertiseAddress())
        .isNull();

    ControllerCommand wrong =
        parse(
            "--join-token", "j", "--data-dir", "/d", "--insecure", "--advertise-address", "ctl-1");
    assertThatThrownBy(wrong::config)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "--advertise-address must be HOST:PORT with a port from 1 to 65535 (e.g."
                + " ctl-1.example.com:7070), got 'ctl-1'");
  }

  @Test
  void aSecondControllerOnTheSameDataDirExitsWithOneLine() throws Exception {
    Path data = dir.resolve("data");
    try (Controller first =
        Controller.start(
            ControllerConfig.builder()
                .host("127.0.0.1")
                .grpcPort(0)
                .httpPort(-1)
                .dataDir(data)
                .joinToken("j")
                .insecure(true)
                .build())) {
      StringWriter err = new StringWriter();
      int exitCode =
          new CommandLine(new GpuPoolCommand())
              .setErr(new PrintWriter(err))
              .execute(
                  "controller",
                  "--host",
                  "127.0.0.1",
                  "--port",
                  "0",
                  "--http-port",
                  "-1",
                  "--join-token",
                  "j",
                  "--insecure",
                  "--data-dir",
                  data.toString());

      assertThat(exitCode).isEqualTo(1);
      assertThat(err.toString())
          .isEqualTo(
              "error: data dir "
                  + data.toAbsolutePath()
                  + " is in use by another controller (pid "
                  + ProcessHandle.current().pid()
                  + "); stop it or pass another --data-dir"
                  + System.lineSeparator());
    }
  }

  @Test
  void aControllerThatLosesTheLeadExitsWithOneLineSoItsSupervisorRestartsIt() throws Exception {
    String url = newPostgresSchema();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine commandLine =
        new CommandLine(new GpuPoolCommand())
            .setOut(new PrintWriter(out))
            .setErr(new PrintWriter(err));
    CompletableFuture<Integer> exitCode =
        CompletableFuture.supplyAsync(
            () ->
                commandLine.execute(
                    "controller",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    "0",
                    "--http-port",
                    "-1",
                    "--join-token",
                    "j",
                    "--insecure",
                    "--data-dir",
                    dir.resolve("data").toString(),
                    "--store",
                    url));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> out.toString().contains("leading it as epoch 1"));

    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement()) {
      s.execute(
          "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory'"
              + " AND classid = 1735423344::oid AND objid = hashtext(current_schema())::oid"
              + " AND objsubid = 2");
    }

    await().atMost(Duration.ofSeconds(20)).until(exitCode::isDone);
    assertThat(exitCode.join()).isEqualTo(1);
    assertThat(err.toString())
        .startsWith(
            "error: lost leadership of the PostgreSQL store: the connection holding the leader"
                + " lock failed: ")
        .endsWith(
            "; exiting so the supervisor restarts this controller as a standby"
                + System.lineSeparator());
  }

  @Test
  void withoutTlsFlagsOrInsecureTheControllerRefusesToStartSayingWhichFlagsToPass() {
    StringWriter err = new StringWriter();
    int exitCode =
        new CommandLine(new GpuPoolCommand())
            .setErr(new PrintWriter(err))
            .execute(
                "controller",
                "--port",
                "0",
                "--http-port",
                "-1",
                "--join-token",
                "j",
                "--data-dir",
                dir.resolve("data").toString());

    assertThat(exitCode).isEqualTo(1);
    assertThat(err.toString())
        .isEqualTo(
            "error: the gRPC port needs TLS: pass --tls-cert FILE and --tls-key FILE (PEM), or"
                + " --insecure to serve plaintext that anyone on the network can use"
                + System.lineSeparator());
    assertThat(dir.resolve("data")).doesNotExist();
  }

  @Test
  void anUnreadableTlsFileStopsTheStartWithOneLineNamingTheFlag() throws Exception {
    TestCertificates.CertificateFiles server =
        TestCertificates.newCa(dir.resolve("ca"), "test-ca").issue("server", "DNS:localhost");
    Path missing = dir.resolve("missing.key");
    StringWriter err = new StringWriter();
    int exitCode =
        new CommandLine(new GpuPoolCommand())
            .setErr(new PrintWriter(err))
            .execute(
                "controller",
                "--port",
                "0",
                "--http-port",
                "-1",
                "--join-token",
                "j",
                "--data-dir",
                dir.resolve("data").toString(),
                "--tls-cert",
                server.certificate().toString(),
                "--tls-key",
                missing.toString());

    assertThat(exitCode).isEqualTo(1);
    assertThat(err.toString())
        .isEqualTo("error: --tls-key " + missing + ": no such file" + System.lineSeparator());
  }

  @Test
  void theTlsFlagsMakeTheTlsConfig() {
    ControllerConfig config =
        parse(
                "--join-token",
                "j",
                "--data-dir",
                "/d",
                "--tls-cert",
                "/c.pem",
                "--tls-key",
                "/k.pem",
                "--tls-client-ca",
                "/ca.pem")
            .config();

    assertThat(config.tls())
        .isEqualTo(new ServerTls(Path.of("/c.pem"), Path.of("/k.pem"), Path.of("/ca.pem")));
    assertThat(config.insecure()).isFalse();
    assertThatThrownBy(
            () -> parse("--join-token", "j", "--data-dir", "/d", "--tls-key", "/k.pem").config())
        .hasMessage("--tls-cert is missing: --tls-cert and --tls-key go together");
    assertThatThrownBy(
            () ->
                parse(
                        "--join-token",
                        "j",
                        "--data-dir",
                        "/d",
                        "--insecure",
                        "--tls-cert",
                        "/c.pem",
                        "--tls-key",
                        "/k.pem")
                    .config())
        .hasMessage(
            "--insecure serves plaintext: leave it out when serving TLS with --tls-cert and"
                + " --tls-key");
  }

  /** A fresh schema on GPUPOOL_TEST_POSTGRES_URL; skips the test without one. */
  private static String newPostgresSchema() throws Exception {
    String base = System.getenv("GPUPOOL_TEST_POSTGRES_URL");
    if (base == null || base.isBlank()) {
      Assumptions.assumeTrue(
          "1".equals(System.getenv("GPUPOOL_REQUIRE_POSTGRES")),
          "GPUPOOL_TEST_POSTGRES_URL is not set");
      throw new AssertionError("GPUPOOL_TEST_POSTGRES_URL is not set");
    }
    String schema = "cli_" + UUID.randomUUID().toString().replace("-", "");
    try (Connection c = DriverManager.getConnection(base);
        Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + schema);
    }
    return base + (base.contains("?") ? "&" : "?") + "currentSchema=" + schema;
  }
}
