package io.gpupool.cli.server;

import io.gpupool.cli.client.CommandFailedException;
import io.gpupool.cli.text.TablePrinter;
import io.gpupool.controller.core.Policies;
import io.gpupool.controller.sim.ClusterSpec;
import io.gpupool.controller.sim.HtmlReport;
import io.gpupool.controller.sim.PolicyMetrics;
import io.gpupool.controller.sim.SimulationReport;
import io.gpupool.controller.sim.SimulationResult;
import io.gpupool.controller.sim.Simulator;
import io.gpupool.controller.sim.Trace;
import io.gpupool.controller.sim.TraceFormatException;
import io.gpupool.controller.sim.TraceReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code gpupool simulate}: replays a job trace on a described cluster through the real scheduling
 * policies, in virtual time, and reports job completion times, queueing delay, makespan and GPU
 * utilization per policy as JSON (stdout or {@code --out}) and optionally as an HTML page.
 *
 * <p>Bad flag values (unknown policy, bad cluster spec, missing trace file) are usage errors (exit
 * 2); a trace with bad rows fails with every problem listed (exit 1). One instance per execution.
 */
@Command(
    name = "simulate",
    mixinStandardHelpOptions = true,
    description = {
      "Replays a job trace (CSV) on a simulated cluster through the scheduling policies and"
          + " compares them: job completion time (avg, p50, p95, p99), queueing delay, makespan"
          + " and GPU utilization, with lower bounds no policy can beat.",
      "Trace columns: submit_time, num_gpus (or num_gpu), duration (seconds); optional job_id,"
          + " name (or model_name), gpu_type, tenant (or user), priority, estimate."
    },
    footer = {
      "",
      "Examples:",
      "  gpupool simulate --trace philly.csv --cluster 16x8:V100 --policy fifo,sjf",
      "  gpupool simulate --trace jobs.csv --cluster 8x8:A100,8x4:V100 --policy sjf \\",
      "      --out report.json --html report.html"
    })
public final class SimulateCommand implements Callable<Integer> {
  @Spec private CommandSpec spec;

  @Option(
      names = "--trace",
      required = true,
      paramLabel = "FILE",
      description = "The job trace, CSV with a header line.")
  private Path trace;

  @Option(
      names = "--cluster",
      required = true,
      paramLabel = "SPEC",
      description =
          "Nodes as NODESxGPUS:MODEL groups, comma-separated, e.g. 16x8:V100 or"
              + " 8x8:A100,8x4:V100.")
  private String cluster;

  @Option(
      names = "--policy",
      required = true,
      split = ",",
      paramLabel = "NAME",
      completionCandidates = PolicyNames.class,
      description = "Policies to compare, comma-separated; one of: ${COMPLETION-CANDIDATES}.")
  private List<String> policies;

  @Option(
      names = "--out",
      paramLabel = "FILE",
      description = "Write the JSON report here instead of to stdout, and print a summary.")
  private Path out;

  @Option(
      names = "--html",
      paramLabel = "FILE",
      description = "Also write a self-contained HTML page with charts here.")
  private Path html;

  @Override
  public Integer call() {
    ClusterSpec clusterSpec = parseCluster();
    List<String> policyNames = checkPolicies();
    checkWritable("--out", out);
    checkWritable("--html", html);
    Trace jobs = readTrace();

    Simulator simulator = new Simulator(jobs, clusterSpec);
    List<SimulationResult> results = new ArrayList<>();
    for (String policy : policyNames) {
      try {
        results.add(simulator.run(policy));
      } catch (IllegalStateException e) {
        // A policy broke its contract (e.g. placed a task on a busy GPU): a bug worth one line.
        throw new CommandFailedException(e.getMessage());
      }
    }
    SimulationReport report = SimulationReport.of(simulator, results);
    PrintWriter stdout = spec.commandLine().getOut();
    if (out == null) {
      stdout.print(report.toJson());
    } else {
      write("--out", out, report.toJson());
    }
    if (html != null) {
      write("--html", html, HtmlReport.render(report, results));
    }
    if (out != null) {
      summary(report).forEach(stdout::println);
      stdout.println("wrote " + out);
      if (html != null) {
        stdout.println("wrote " + html);
      }
    }
    stdout.flush();
    return 0;
  }

  private ClusterSpec parseCluster() {
    try {
      return ClusterSpec.parse(cluster);
    } catch (IllegalArgumentException e) {
      throw usage("--cluster", e.getMessage());
    }
  }

  private List<String> checkPolicies() {
    Set<String> names = new LinkedHashSet<>();
    for (String policy : policies) {
      String name = policy.trim();
      if (!Policies.names().contains(name)) {
        throw usage(
            "--policy",
            "unknown policy '"
                + name
                + "'; known policies: "
                + String.join(", ", Policies.names()));
      }
      if (!names.add(name)) {
        throw usage("--policy", "policy '" + name + "' is listed twice");
      }
    }
    return List.copyOf(names);
  }

  private void checkWritable(String flag, Path file) {
    if (file == null) {
      return;
    }
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null && !Files.isDirectory(parent)) {
      throw usage(flag, "directory " + parent + " does not exist");
    }
    if (Files.isDirectory(file)) {
      throw usage(flag, file + " is a directory");
    }
  }

  private Trace readTrace() {
    try {
      return TraceReader.read(trace);
    } catch (NoSuchFileException e) {
      throw usage("--trace", "no such file: " + trace);
    } catch (AccessDeniedException e) {
      throw usage("--trace", "permission denied: " + trace);
    } catch (TraceFormatException e) {
      throw new CommandFailedException(e.getMessage());
    } catch (IOException e) {
      throw usage("--trace", "cannot read " + trace + ": " + e.getMessage());
    }
  }

  private void write(String flag, Path file, String content) {
    try {
      Files.writeString(file, content, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new CommandFailedException("cannot write " + flag + " " + file + ": " + e);
    }
  }

  private ParameterException usage(String flag, String problem) {
    return new ParameterException(
        spec.commandLine(), "Invalid value for option '" + flag + "': " + problem);
  }

  private static List<String> summary(SimulationReport report) {
    TablePrinter table =
        TablePrinter.withHeader(
            "POLICY", "JOBS", "AVG JCT", "P99 JCT", "AVG WAIT", "MAKESPAN", "GPU UTIL");
    for (PolicyMetrics p : report.policies()) {
      table.row(
          p.policy(),
          p.jobs(),
          seconds(p.avgJctSeconds()),
          seconds(p.p99JctSeconds()),
          seconds(p.avgQueueDelaySeconds()),
          seconds(p.makespanSeconds()),
          Double.isFinite(p.gpuUtilization())
              ? String.format(Locale.ROOT, "%.3f", p.gpuUtilization())
              : "-");
    }
    table.row(
        "lower bound",
        "",
        seconds(report.lowerBounds().avgJctSeconds()),
        "",
        "",
        seconds(report.lowerBounds().makespanSeconds()),
        "");
    return table.lines();
  }

  private static String seconds(double s) {
    return Double.isFinite(s) ? String.format(Locale.ROOT, "%.1fs", s) : "-";
  }

  /** The registered policy names, for the help text and shell completion. */
  static final class PolicyNames implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return Policies.names().iterator();
    }
  }
}
