package io.gpupool.cli.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpupool.agent.AgentConfig;
import io.gpupool.agent.workload.WorkloadUser;
import io.gpupool.controller.testing.TestCertificates;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Parsing of {@code gpupool agent}'s options; starting an agent is the integration tests' job. */
@Timeout(60)
class AgentCommandTest {
  private static AgentCommand parse(String... args) {
    AgentCommand command = new AgentCommand();
    new CommandLine(command).parseArgs(args);
    return command;
  }

  @Test
  void theSampleIntervalDefaultsToOneSecondAndTakesADuration() {
    AgentCommand defaults = parse("--join-token", "j", "--state-dir", "/tmp/a");
    AgentCommand fast =
        parse("--join-token", "j", "--state-dir", "/tmp/a", "--sample-interval", "250ms");

    assertThat(defaults.sampleInterval).isEqualTo(Duration.ofSeconds(1));
    assertThat(fast.sampleInterval).isEqualTo(Duration.ofMillis(250));
  }

  @Test
  void aZeroOrMalformedSampleIntervalIsRejectedNamingTheOption() {
    assertThatThrownBy(
            () -> parse("--join-token", "j", "--state-dir", "/a", "--sample-interval", "0s"))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("--sample-interval");
    assertThatThrownBy(
            () -> parse("--join-token", "j", "--state-dir", "/a", "--sample-interval", "often"))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("--sample-interval");
  }

  @Test
  void tasksRunOnWhileDisconnectedUnlessAStopAfterDisconnectIsGiven() {
    AgentCommand defaults = parse("--join-token", "j", "--state-dir", "/a");
    AgentCommand limited =
        parse("--join-token", "j", "--state-dir", "/a", "--stop-work-after-disconnect", "20s");

    assertThat(defaults.stopWorkAfterDisconnect).isNull();
    assertThat(limited.stopWorkAfterDisconnect).isEqualTo(Duration.ofSeconds(20));
  }

  @Test
  void aZeroOrMalformedStopAfterDisconnectIsRejectedNamingTheOption() {
    assertThatThrownBy(
            () ->
                parse(
                    "--join-token", "j", "--state-dir", "/a", "--stop-work-after-disconnect", "0s"))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("--stop-work-after-disconnect");
    assertThatThrownBy(
            () ->
                parse(
                    "--join-token",
                    "j",
                    "--state-dir",
                    "/a",
                    "--stop-work-after-disconnect",
                    "soon"))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("--stop-work-after-disconnect");
  }

  @Test
  void theNvmlLibraryPathIsTakenFromTheOption() {
    AgentCommand command =
        parse(
            "--join-token",
            "j",
            "--state-dir",
            "/a",
            "--nvml-library",
            "/opt/stub/libnvidia-ml.so.1");

    assertThat(command.nvmlLibrary).isEqualTo(Path.of("/opt/stub/libnvidia-ml.so.1"));
  }

  @Test
  void theTlsFlagsReachTheAgentConfigAndWrongFilesAreNamedByFlag(@TempDir Path dir)
      throws Exception {
    TestCertificates ca = TestCertificates.newCa(dir, "test-ca");
    TestCertificates.CertificateFiles node = ca.issue("node-1");

    AgentConfig plaintext = parse("--join-token", "j", "--state-dir", "/a").config().build();
    AgentConfig mutual =
        parse(
                "--join-token",
                "j",
                "--state-dir",
                "/a",
                "--tls-ca",
                ca.caCertificate().toString(),
                "--tls-cert",
                node.certificate().toString(),
                "--tls-key",
                node.privateKey().toString())
            .config()
            .build();

    assertThat(plaintext.tls()).isFalse();
    assertThat(mutual.tls()).isTrue();
    assertThat(mutual.tlsCa()).contains(ca.caCertificate());
    assertThat(mutual.tlsCert()).contains(node.certificate());
    assertThat(mutual.tlsKey()).contains(node.privateKey());
    assertThat(parse("--join-token", "j", "--state-dir", "/a", "--tls").config().build().tls())
        .isTrue();

    Path missing = dir.resolve("missing.pem");
    assertThatThrownBy(
            () ->
                parse("--join-token", "j", "--state-dir", "/a", "--tls-ca", missing.toString())
                    .config()
                    .build())
        .hasMessage("--tls-ca " + missing + ": no such file");
    assertThatThrownBy(
            () ->
                parse(
                        "--join-token",
                        "j",
                        "--state-dir",
                        "/a",
                        "--tls-cert",
                        node.certificate().toString())
                    .config()
                    .build())
        .hasMessage("--tls-key is missing: --tls-cert and --tls-key go together");
    assertThatThrownBy(
            () ->
                parse(
                        "--join-token",
                        "j",
                        "--state-dir",
                        "/a",
                        "--tls-cert",
                        node.certificate().toString(),
                        "--tls-key",
                        node.certificate().toString())
                    .config()
                    .build())
        .hasMessage(
            "--tls-key "
                + node.certificate()
                + ": no PEM private key in it (expected -----BEGIN PRIVATE KEY-----)");
  }

  @Test
  void tasksRunAsNobodyUnderARootAgentAndAsTheAgentsOwnUserOtherwise() {
    AgentCommand defaults = parse("--join-token", "j", "--state-dir", "/a");
    AgentCommand asAlice = parse("--join-token", "j", "--state-dir", "/a", "--run-as", "alice");

    assertThat(defaults.runAs).isNull();
    assertThat(asAlice.runAs).isEqualTo("alice");
    assertThat(AgentCommand.runAsFor(defaults.runAs, 0)).isEqualTo("nobody");
    assertThat(AgentCommand.runAsFor(defaults.runAs, 1000))
        .as("a non-root agent runs tasks as itself")
        .isNull();
    assertThat(AgentCommand.runAsFor("root", 0)).as("root only when asked for").isEqualTo("root");
    assertThat(AgentCommand.runAsFor(asAlice.runAs, 0)).isEqualTo("alice");
    assertThat(AgentCommand.runAsFor(asAlice.runAs, 1000))
        .as("passed on: the agent refuses another user when it is not root")
        .isEqualTo("alice");
  }

  @Test
  void aNonRootAgentAskedToRunTasksAsAnotherUserIsRefusedSayingWhy() {
    Assumptions.assumeFalse(WorkloadUser.agent().isRoot(), "needs a JVM that is not root");
    String other = WorkloadUser.agent().uid() == 65534 ? "root" : "nobody";

    assertThatThrownBy(() -> WorkloadUser.resolve(AgentCommand.runAsFor(other, 1000)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not as root")
        .hasMessageContaining("--run-as");
  }

  @Test
  void outputLimitsDefaultToOneGibibyteAThousandLinesAndOneMebibytePerSecond() {
    AgentCommand defaults = parse("--join-token", "j", "--state-dir", "/a");
    AgentCommand set =
        parse(
            "--join-token",
            "j",
            "--state-dir",
            "/a",
            "--max-task-output-bytes",
            "64KiB",
            "--task-log-lines-per-second",
            "50",
            "--task-log-bytes-per-second",
            "4096",
            "--pass-env",
            "LD_LIBRARY_PATH,HTTP_PROXY");

    assertThat(defaults.maxTaskOutputBytes).isEqualTo(1L << 30);
    assertThat(defaults.taskLogLinesPerSecond).isEqualTo(1000);
    assertThat(defaults.taskLogBytesPerSecond).isEqualTo(1L << 20);
    assertThat(defaults.passEnv).isEmpty();
    assertThat(set.maxTaskOutputBytes).isEqualTo(64 * 1024);
    assertThat(set.taskLogLinesPerSecond).isEqualTo(50);
    assertThat(set.taskLogBytesPerSecond).isEqualTo(4096);
    assertThat(set.passEnv).containsExactly("LD_LIBRARY_PATH", "HTTP_PROXY");
  }

  @Test
  void aMalformedSizeIsRejectedNamingTheOption() {
    assertThatThrownBy(
            () ->
                parse("--join-token", "j", "--state-dir", "/a", "--max-task-output-bytes", "lots"))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("--max-task-output-bytes")
        .hasMessageContaining("not a size");
    assertThatThrownBy(
            () ->
                parse(
                    "--join-token",
                    "j",
                    "--state-dir",
                    "/a",
                    "--task-log-bytes-per-second",
                    "99999999999TiB"))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("--task-log-bytes-per-second");
  }
}
