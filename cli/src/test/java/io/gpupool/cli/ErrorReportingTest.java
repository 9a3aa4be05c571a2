package io.gpupool.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpupool.cli.client.ControllerChannels;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

@Timeout(60)
class ErrorReportingTest {
  private CliHarness cli;

  @BeforeEach
  void startFakeController() throws Exception {
    cli = new CliHarness();
  }

  @AfterEach
  void stopFakeController() throws Exception {
    cli.close();
  }

  @Test
  void grpcStatusBecomesOneLineOnStderrAndExitCodeOne() {
    CliHarness.Result result = cli.run("get", "t-9");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err())
        .isEqualTo("error: NOT_FOUND: task t-9 not found" + System.lineSeparator());
    assertThat(result.out()).isEmpty();
  }

  @Test
  void everyClientCommandReportsStatusesTheSameWay() {
    for (String[] args :
        new String[][] {
          {"cancel", "t-9"}, {"logs", "t-9"}, {"logs", "-f", "t-9"}, {"get", "-o", "json", "t-9"}
        }) {
      CliHarness.Result result = cli.run(args);

      assertThat(result.exitCode()).as(String.join(" ", args)).isEqualTo(1);
      assertThat(result.err()).as(String.join(" ", args)).startsWith("error: NOT_FOUND: task t-");
      assertThat(result.err().lines()).as(String.join(" ", args)).hasSize(1);
    }
  }

  @Test
  void unreachableControllerNamesTheAddressAndHowToStartOne() {
    // A channel to an in-process server that does not exist fails like a refused connection.
    ControllerChannels nowhere =
        (target, credentials) ->
            InProcessChannelBuilder.forName(InProcessServerBuilder.generateName()).build();
    StringWriter err = new StringWriter();
    int exitCode =
        new CommandLine(new GpuPoolCommand(nowhere))
            .setOut(new PrintWriter(new StringWriter()))
            .setErr(new PrintWriter(err))
            .execute("list", "--controller", "gpu-head:7171");

    assertThat(exitCode).isEqualTo(1);
    assertThat(err.toString())
        .startsWith("error: UNAVAILABLE: cannot reach a controller at gpu-head:7171")
        .contains("gpupool dev")
        .contains("gpupool controller")
        .doesNotContain("\tat ")
        .hasLineCount(1);
  }

  @Test
  void unreachableListOfControllersNamesEveryAddress() {
    ControllerChannels nowhere =
        (target, credentials) ->
            InProcessChannelBuilder.forName(InProcessServerBuilder.generateName()).build();
    StringWriter err = new StringWriter();
    int exitCode =
        new CommandLine(new GpuPoolCommand(nowhere))
            .setOut(new PrintWriter(new StringWriter()))
            .setErr(new PrintWriter(err))
            .execute("top", "--controller", "head-a:7070,head-b:7070");

    assertThat(exitCode).isEqualTo(1);
    assertThat(err.toString())
        .startsWith(
            "error: UNAVAILABLE: cannot reach any of the controllers at head-a:7070, head-b:7070")
        .contains("gpupool dev")
        .doesNotContain("\tat ")
        .hasLineCount(1);
  }

  @Test
  void aBadEntryInAListOfControllersIsAUsageErrorNamingIt() {
    StringWriter err = new StringWriter();
    int exitCode =
        new CommandLine(new GpuPoolCommand(ControllerChannels.netty()))
            .setOut(new PrintWriter(new StringWriter()))
            .setErr(new PrintWriter(err))
            .execute("list", "--controller", "head-a:7070,head-b");

    assertThat(exitCode).isEqualTo(2);
    assertThat(err.toString())
        .contains("--controller: controller address 'head-b' in 'head-a:7070,head-b' is not")
        .doesNotContain("\tat ");
  }

  @Test
  void noSubcommandIsAUsageErrorListingTheCommands() {
    CliHarness.Result result = cli.run();

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("submit").contains("nodes");
  }

  @Test
  void unknownOptionIsAUsageErrorWithAPointerToHelp() {
    CliHarness.Result result = cli.run("list", "--bogus");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("--bogus").contains("gpupool list --help");
  }

  @Test
  void badOutputFormatIsAUsageErrorListingTheFormats() {
    CliHarness.Result result = cli.run("nodes", "-o", "yaml");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("--output").contains("table, json");
  }

  @Test
  void helpOfASubcommandGoesToStdoutAndExitsZero() {
    CliHarness.Result result = cli.run("submit", "--help");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).contains("--max-runtime").contains("--controller");
  }
}
