package io.gpupool.cli.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import io.gpupool.cli.GpuPoolCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/** {@code gpupool bench scheduler} in-process, on clusters small enough to run in a blink. */
@Timeout(60)
class BenchCommandTest {
  private static final String[] TINY = {
    "bench", "scheduler", "--nodes", "20", "--gpus-per-node", "8", "--tasks", "100", "--seed", "3"
  };

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

  private static String[] with(String[] base, String... more) {
    String[] args = new String[base.length + more.length];
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(more, 0, args, base.length, more.length);
    return args;
  }

  @Test
  void jsonOutputIsOneObjectWithTheFiguresOfACompleteRun() throws Exception {
    Result result = run(with(TINY, "--output", "json"));

    assertThat(result.err()).isEmpty();
    assertThat(result.exitCode()).isZero();
    assertThat(result.out().lines()).hasSize(1);
    Struct.Builder parsed = Struct.newBuilder();
    JsonFormat.parser().merge(result.out(), parsed);
    Map<String, Value> fields = parsed.getFieldsMap();
    assertThat(fields)
        .containsKeys(
            "placements_per_s",
            "p50_decision_us",
            "p99_decision_us",
            "passes",
            "placements",
            "nodes",
            "tasks",
            "heap_mb",
            "warmed_up");
    assertThat(fields.get("policy").getStringValue()).isEqualTo("default");
    assertThat(fields.get("nodes").getNumberValue()).isEqualTo(20);
    assertThat(fields.get("tasks").getNumberValue()).isEqualTo(100);
    assertThat(fields.get("placements").getNumberValue()).isEqualTo(100);
    assertThat(fields.get("unplaced").getNumberValue()).isZero();
    assertThat(fields.get("passes").getNumberValue()).isPositive();
    assertThat(fields.get("placements_per_s").getNumberValue()).isPositive();
    assertThat(fields.get("p99_decision_us").getNumberValue())
        .isGreaterThanOrEqualTo(fields.get("p50_decision_us").getNumberValue());
    assertThat(fields.get("warmed_up").getBoolValue()).isTrue();
  }

  @Test
  void tableOutputIsAlignedKeyValueLines() {
    Result result = run(with(TINY, "--policy", "fifo"));

    assertThat(result.exitCode()).isZero();
    List<String> lines = result.out().lines().toList();
    assertThat(lines)
        .allMatch(line -> line.matches("[a-z0-9_]+ +\\S+"))
        .anyMatch(line -> line.matches("policy +fifo"))
        .anyMatch(line -> line.matches("placements +100"))
        .anyMatch(line -> line.matches("placements_per_s +[0-9]+"))
        .anyMatch(line -> line.matches("p99_decision_us +[0-9.]+"));
    int valueColumn = lines.get(0).lastIndexOf(' ') + 1;
    assertThat(lines).allMatch(line -> line.lastIndexOf(' ') + 1 == valueColumn);
  }

  @Test
  void aBadFlagIsAUsageErrorNamingIt() {
    Result zeroNodes = run("bench", "scheduler", "--nodes", "0", "--tasks", "10");
    Result unknownPolicy = run("bench", "scheduler", "--nodes", "2", "--policy", "nope");

    assertThat(zeroNodes.exitCode()).isEqualTo(2);
    assertThat(zeroNodes.err()).startsWith("--nodes must be at least 1, but it is 0");
    assertThat(zeroNodes.out()).isEmpty();
    assertThat(unknownPolicy.exitCode()).isEqualTo(2);
    assertThat(unknownPolicy.err()).contains("--policy: unknown policy 'nope'", "default");
  }

  @Test
  void benchWithoutABenchmarkListsThem() {
    Result result = run("bench");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("Missing benchmark", "scheduler");
  }
}
