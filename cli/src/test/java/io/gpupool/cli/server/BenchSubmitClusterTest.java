package io.gpupool.cli.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import io.gpupool.agent.Agent;
import io.gpupool.cli.GpuPoolCommand;
import io.gpupool.cli.client.ClientContext;
import io.gpupool.cli.client.ControllerChannels;
import io.gpupool.cli.client.SavedTokens;
import io.gpupool.controller.Controller;
import io.gpupool.controller.ControllerConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code gpupool bench submit} against a real controller on a free port and a real agent in this
 * JVM with two simulated GPUs, running {@code true}.
 */
@Timeout(120)
class BenchSubmitClusterTest {
  @TempDir Path dir;
  private Controller controller;
  private Agent agent;
  private String target;
  private String admin;

  @BeforeEach
  void start() throws Exception {
    controller =
        Controller.start(
            ControllerConfig.builder()
                .insecure(true)
                .host("127.0.0.1")
                .grpcPort(0)
                .httpPort(-1)
                .dataDir(dir.resolve("data"))
                .joinToken("join")
                .build());
    target = "127.0.0.1:" + controller.grpcPort();
    admin = Files.readString(dir.resolve("data/admin.token")).strip();
    AgentCommand agentFlags = new AgentCommand();
    new CommandLine(agentFlags)
        .parseArgs(
            "--controller",
            target,
            "--join-token",
            "join",
            "--state-dir",
            dir.resolve("agent").toString(),
            "--name",
            "bench-node",
            "--simulate",
            "2xH100-80GB",
            // Tasks run as this JVM's user, who can reach the @TempDir (nobody cannot).
            "--run-as",
            System.getProperty("user.name"));
    agent = Agent.start(agentFlags.config().build());
  }

  @AfterEach
  void stop() {
    if (agent != null) {
      agent.close();
    }
    controller.close();
  }

  @Test
  void twentyTasksAllSucceedAndTheFiguresAreSane() throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    ClientContext context =
        new ClientContext(ControllerChannels.netty(), Clock.systemUTC(), SavedTokens.none());
    int exitCode =
        new CommandLine(new GpuPoolCommand(context))
            .setOut(new PrintWriter(out))
            .setErr(new PrintWriter(err))
            .execute(
                "bench",
                "submit",
                "--controller",
                target,
                "--token",
                admin,
                "--tasks",
                "20",
                "--concurrency",
                "4",
                "--output",
                "json",
                "--",
                "true");

    assertThat(exitCode).as(err.toString()).isZero();
    Struct.Builder parsed = Struct.newBuilder();
    JsonFormat.parser().merge(out.toString(), parsed);
    Map<String, Value> fields = parsed.getFieldsMap();
    assertThat(fields.get("succeeded").getNumberValue()).isEqualTo(20);
    assertThat(fields.get("failed").getNumberValue()).isZero();
    assertThat(fields.get("cancelled").getNumberValue()).isZero();
    assertThat(fields.get("ran").getNumberValue()).isEqualTo(20);
    assertThat(fields.get("submit_per_s").getNumberValue()).isPositive();
    assertThat(fields.get("tasks_per_s").getNumberValue()).isPositive();
    double p50 = fields.get("submit_to_running_p50_ms").getNumberValue();
    double p99 = fields.get("submit_to_running_p99_ms").getNumberValue();
    assertThat(p50).isGreaterThanOrEqualTo(0);
    assertThat(p99).isGreaterThanOrEqualTo(p50).isLessThan(60_000);
  }
}
