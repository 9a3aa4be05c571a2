package io.gpupool.cli.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import io.gpupool.cli.GpuPoolCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code gpupool bench scheduler} in-process, on clusters small enough to run in a blink, and
 * {@code gpupool bench e2e} with a few hundred submits against a controller on embedded H2.
 */
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
    assertThat(result.err()).contains("Missing benchmark", "scheduler", "e2e");
  }

  @Test
  void e2eReportsDurableSubmitsAsJsonOnStdoutAndInTheOutFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("e2e.json");

    Result result =
        run(
            "bench",
            "e2e",
            "--tasks",
            "200",
            "--clients",
            "2",
            "--in-flight",
            "8",
            "-o",
            "json",
            "--out",
            file.toString());

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out().lines()).hasSize(1);
    assertThat(Files.readString(file, StandardCharsets.UTF_8).strip())
        .isEqualTo(result.out().strip());
    Struct.Builder parsed = Struct.newBuilder();
    JsonFormat.parser().merge(result.out(), parsed);
    Map<String, Value> fields = parsed.getFieldsMap();
    assertThat(fields.get("store").getStringValue()).isEqualTo("h2");
    assertThat(fields.get("clients").getNumberValue()).isEqualTo(2);
    assertThat(fields.get("in_flight").getNumberValue()).isEqualTo(8);
    assertThat(fields.get("tasks").getNumberValue()).isEqualTo(200);
    assertThat(fields.get("warmup_tasks").getNumberValue()).isEqualTo(20);
    assertThat(fields.get("tasks_stored").getNumberValue()).isEqualTo(220);
    assertThat(fields.get("submits_per_s").getNumberValue()).isPositive();
    assertThat(fields.get("elapsed_ms").getNumberValue()).isPositive();
    assertThat(fields.get("p99_latency_ms").getNumberValue())
        .isGreaterThanOrEqualTo(fields.get("p50_latency_ms").getNumberValue())
        .isLessThanOrEqualTo(fields.get("max_latency_ms").getNumberValue());
  }

  @Test
  void e2eTableOutputIsOneAlignedLinePerFigure() {
    Result result = run("bench", "e2e", "--tasks", "50", "--clients", "1", "--in-flight", "4");

    assertThat(result.exitCode()).as(result.err()).isZero();
    List<String> lines = result.out().lines().toList();
    assertThat(lines)
        .allMatch(line -> line.matches("[a-z0-9_]+ +\\S+"))
        .anyMatch(line -> line.matches("store +h2"))
        .anyMatch(line -> line.matches("tasks_stored +55"))
        .anyMatch(line -> line.matches("submits_per_s +[0-9]+"))
        .anyMatch(line -> line.matches("p99_latency_ms +[0-9.]+"));
    int valueColumn = lines.get(0).lastIndexOf(' ') + 1;
    assertThat(lines).allMatch(line -> line.lastIndexOf(' ') + 1 == valueColumn);
  }

  @Test
  void e2eDefaultsToTwentyThousandSubmitsOverEightClientsOnH2() {
    CommandLine.ParseResult parsed =
        new CommandLine(new GpuPoolCommand()).parseArgs("bench", "e2e");
    BenchE2eCommand e2e =
        (BenchE2eCommand) parsed.subcommand().subcommand().commandSpec().userObject();

    assertThat(e2e.tasks).isEqualTo(20000);
    assertThat(e2e.clients).isEqualTo(8);
    assertThat(e2e.inFlight).isEqualTo(64);
    assertThat(e2e.store).isNull();
    assertThat(e2e.out).isNull();
  }

  @Test
  void e2eStoreFlagsReachTheBenchmark() {
    CommandLine.ParseResult parsed =
        new CommandLine(new GpuPoolCommand())
            .parseArgs(
                "bench",
                "e2e",
                "--store",
                "jdbc:postgresql://db:5432/gp",
                "--store-user",
                "u",
                "--store-password",
                "p");
    BenchE2eCommand e2e =
        (BenchE2eCommand) parsed.subcommand().subcommand().commandSpec().userObject();

    assertThat(e2e.store).isEqualTo("jdbc:postgresql://db:5432/gp");
    assertThat(e2e.storeUser).isEqualTo("u");
    assertThat(e2e.storePassword).isEqualTo("p");
  }

  @Test
  void e2eBadFlagsAreUsageErrorsNamingThem() {
    Result zeroClients = run("bench", "e2e", "--clients", "0");
    Result zeroInFlight = run("bench", "e2e", "--in-flight", "0");
    Result notJdbc = run("bench", "e2e", "--store", "postgres://db/gp");

    assertThat(zeroClients.exitCode()).isEqualTo(2);
    assertThat(zeroClients.err()).startsWith("--clients must be at least 1, but it is 0");
    assertThat(zeroClients.out()).isEmpty();
    assertThat(zeroInFlight.exitCode()).isEqualTo(2);
    assertThat(zeroInFlight.err()).startsWith("--in-flight must be at least 1, but it is 0");
    assertThat(notJdbc.exitCode()).isEqualTo(2);
    assertThat(notJdbc.err()).startsWith("--store must be a JDBC URL");
  }
}
