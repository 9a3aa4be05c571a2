package io.gpupool.cli.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpupool.cli.GpuPoolCommand;
import io.gpupool.controller.core.Policies;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

@Timeout(120)
class SimulateCommandTest {
  /** The sample trace kept with the simulator's tests (surefire runs in the cli module). */
  private static final Path SAMPLE =
      Path.of(System.getProperty("basedir", "."))
          .resolve("../controller/src/test/resources/traces/philly_vc103959_elasticflow.csv")
          .normalize();

  @TempDir Path dir;

  private record Result(int exitCode, String out, String err) {}

  private static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exitCode =
        new CommandLine(new GpuPoolCommand())
            .setOut(new PrintWriter(out))
            .setErr(new PrintWriter(err))
            .execute(args);
    return new Result(exitCode, out.toString(), err.toString());
  }

  @Test
  void writesJsonAndHtmlForTheSampleTrace() throws Exception {
    Path json = dir.resolve("report.json");
    Path html = dir.resolve("report.html");

    Result result =
        run(
            "simulate",
            "--trace",
            SAMPLE.toString(),
            "--cluster",
            "16x8:V100",
            "--policy",
            "fifo," + Policies.names().get(0),
            "--out",
            json.toString(),
            "--html",
            html.toString());

    assertThat(result.err()).isEmpty();
    assertThat(result.exitCode()).isZero();
    assertThat(Files.readString(json))
        .startsWith("{\n  \"trace\": {\n    \"file\": \"philly_vc103959_elasticflow.csv\",")
        .contains("\"jobs\": 876")
        .contains("\"gpus\": 128")
        .contains("\"makespan_s\": 7914913.0")
        .contains("\"policy\": \"fifo\"");
    assertThat(Files.readString(html))
        .startsWith("<!DOCTYPE html>")
        .contains("data-series=\"fifo\"");
    assertThat(result.out())
        .contains("POLICY")
        .contains("fifo")
        .contains("lower bound")
        .contains("wrote " + json)
        .contains("wrote " + html);
  }

  @Test
  void withoutOutTheJsonGoesToStdout() {
    Path trace = dir.resolve("t.csv");
    write(trace, "submit_time,num_gpus,duration\n0,1,10\n0,1,5\n");

    Result result =
        run("simulate", "--trace", trace.toString(), "--cluster", "1x1:V100", "--policy", "fifo");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out())
        .startsWith("{\n")
        .contains("\"avg_jct_s\": 12.5")
        .contains("\"gpu_utilization\": 1.000")
        .endsWith("}\n");
  }

  @Test
  void badRowsAreAllPrintedAndExitOne() {
    Path trace = dir.resolve("bad.csv");
    write(trace, "submit_time,num_gpus,duration\n0,0,10\n0,1,-5\n");

    Result result =
        run("simulate", "--trace", trace.toString(), "--cluster", "1x1:V100", "--policy", "fifo");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err())
        .startsWith("error: trace bad.csv has 2 problems:")
        .contains("line 2: num_gpus must be a whole number of at least 1, got '0'")
        .contains("line 3: duration must be a number of seconds greater than 0, got '-5'")
        .doesNotContain("\tat ");
    assertThat(result.out()).isEmpty();
  }

  @Test
  void badFlagValuesAreUsageErrorsNamingTheFlag() {
    Path trace = dir.resolve("t.csv");
    write(trace, "submit_time,num_gpus,duration\n0,1,10\n");

    Result badCluster =
        run("simulate", "--trace", trace.toString(), "--cluster", "16x8", "--policy", "fifo");
    Result badPolicy =
        run(
            "simulate",
            "--trace",
            trace.toString(),
            "--cluster",
            "1x1:V100",
            "--policy",
            "fifo,nope");
    Result missingTrace =
        run(
            "simulate",
            "--trace",
            dir.resolve("none.csv").toString(),
            "--cluster",
            "1x1:V100",
            "--policy",
            "fifo");
    Result badOut =
        run(
            "simulate",
            "--trace",
            trace.toString(),
            "--cluster",
            "1x1:V100",
            "--policy",
            "fifo",
            "--out",
            dir.resolve("missing/report.json").toString());

    assertThat(badCluster.exitCode()).isEqualTo(2);
    assertThat(badCluster.err().lines().findFirst().orElseThrow())
        .startsWith("Invalid value for option '--cluster': bad group '16x8'");
    assertThat(badPolicy.exitCode()).isEqualTo(2);
    assertThat(badPolicy.err().lines().findFirst().orElseThrow())
        .isEqualTo(
            "Invalid value for option '--policy': unknown policy 'nope'; known policies: "
                + String.join(", ", Policies.names()));
    assertThat(missingTrace.exitCode()).isEqualTo(2);
    assertThat(missingTrace.err()).startsWith("Invalid value for option '--trace': no such file:");
    assertThat(badOut.exitCode()).isEqualTo(2);
    assertThat(badOut.err()).startsWith("Invalid value for option '--out': directory ");
  }

  @Test
  void helpListsTheRegisteredPolicies() {
    Result result = run("simulate", "--help");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).contains("--trace").contains("--cluster");
    // Picocli wraps the list; compare it with whitespace squeezed.
    assertThat(result.out().replaceAll("\\s+", " "))
        .contains("one of: " + String.join(", ", Policies.names()) + ".");
  }

  private static void write(Path file, String content) {
    try {
      Files.writeString(file, content);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
