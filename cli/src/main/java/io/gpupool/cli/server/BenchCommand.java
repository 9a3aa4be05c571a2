package io.gpupool.cli.server;

import io.gpupool.cli.client.OutputFormat;
import io.gpupool.controller.bench.BenchConfig;
import io.gpupool.controller.bench.BenchResult;
import io.gpupool.controller.bench.SchedulerBenchmark;
import io.gpupool.controller.core.Policies;
import java.io.PrintWriter;
import java.util.Iterator;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code gpupool bench}: benchmarks that hold gpupool to its scale targets. {@code bench scheduler}
 * times the scheduling core alone (see {@link SchedulerBenchmark}); it needs no controller and does
 * no I/O but printing its figures. {@code bench e2e} ({@link BenchE2eCommand}) times durable
 * submits through a real controller. One instance per execution; not thread-safe.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Benchmarks gpupool against its scale targets.",
    subcommands = {BenchCommand.Scheduler.class, BenchE2eCommand.class, BenchSubmitCommand.class})
public final class BenchCommand implements Runnable {
  @Spec private CommandSpec spec;

  /** {@code gpupool bench} without a benchmark is a usage error. */
  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "Missing benchmark; see the list below");
  }

  /** {@code gpupool bench scheduler}: the scheduling core on a synthetic cluster. */
  @Command(
      name = "scheduler",
      mixinStandardHelpOptions = true,
      description = {
        "Times the scheduling core alone, without I/O: a synthetic cluster of ready nodes with"
            + " H100-like GPUs (10%% already busy) and a queue of pending tasks (mostly 1 GPU, some"
            + " 2/4/8; a few with a GPU model, a zone label, a higher priority; eight tenants),"
            + " scheduled in passes as the live loop does: each pass places what fits, then 5%% of"
            + " the running work completes. Stops when every task was placed.",
        "Reports placements per second of time inside schedule(), per-decision latency"
            + " percentiles and the heap. A tenth-size run warms the JVM up first.",
      })
  static final class Scheduler implements Callable<Integer> {
    @Spec private CommandSpec spec;

    @Option(
        names = "--nodes",
        paramLabel = "N",
        defaultValue = "10000",
        description = "Ready nodes. Default: ${DEFAULT-VALUE}.")
    int nodes;

    @Option(
        names = "--gpus-per-node",
        paramLabel = "N",
        defaultValue = "8",
        description = "GPUs per node (1 to 64). Default: ${DEFAULT-VALUE}.")
    int gpusPerNode;

    @Option(
        names = "--tasks",
        paramLabel = "N",
        defaultValue = "100000",
        description = "Pending tasks at the start. Default: ${DEFAULT-VALUE}.")
    int tasks;

    @Option(
        names = "--policy",
        paramLabel = "NAME",
        defaultValue = "default",
        description = "Scheduling policy (${COMPLETION-CANDIDATES}). Default: ${DEFAULT-VALUE}.",
        completionCandidates = PolicyNames.class)
    String policy;

    @Option(
        names = "--seed",
        paramLabel = "N",
        defaultValue = "1",
        description =
            "Seeds the cluster, the queue and the completions; the same seed makes the same"
                + " decisions. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(
        names = "--max-passes",
        paramLabel = "N",
        defaultValue = "" + BenchConfig.DEFAULT_MAX_PASSES,
        description = "Stop after N passes even if tasks are left. Default: ${DEFAULT-VALUE}.")
    int maxPasses;

    @Option(
        names = {"-o", "--output"},
        paramLabel = "FORMAT",
        defaultValue = "table",
        converter = OutputFormat.Converter.class,
        description = "table (aligned key value lines), or json (one object). Default: table.")
    OutputFormat output;

    @Override
    public Integer call() {
      BenchResult result = new SchedulerBenchmark().runWarmedUp(config());
      PrintWriter out = spec.commandLine().getOut();
      if (output == OutputFormat.JSON) {
        out.println(result.toJson());
      } else {
        out.print(result.toText());
      }
      out.flush();
      return 0;
    }

    private BenchConfig config() {
      requireAtLeast("--nodes", nodes, 1);
      requireAtLeast("--gpus-per-node", gpusPerNode, 1);
      requireAtLeast("--tasks", tasks, 1);
      requireAtLeast("--max-passes", maxPasses, 1);
      if (gpusPerNode > 64) {
        throw new ParameterException(
            spec.commandLine(), "--gpus-per-node must be at most 64, but it is " + gpusPerNode);
      }
      if (!Policies.names().contains(policy)) {
        throw new ParameterException(
            spec.commandLine(),
            "--policy: unknown policy '"
                + policy
                + "'; known policies: "
                + String.join(", ", Policies.names()));
      }
      return new BenchConfig(nodes, gpusPerNode, tasks, policy, seed, maxPasses);
    }

    private void requireAtLeast(String flag, long value, long min) {
      if (value < min) {
        throw new ParameterException(
            spec.commandLine(), flag + " must be at least " + min + ", but it is " + value);
      }
    }
  }

  /** The policy names, for {@code --policy}'s help and shell completion. */
  static final class PolicyNames implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return Policies.names().iterator();
    }
  }
}
