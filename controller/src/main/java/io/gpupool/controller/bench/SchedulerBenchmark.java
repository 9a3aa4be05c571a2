package io.gpupool.controller.bench;

import io.gpupool.controller.core.ClusterSnapshot;
import io.gpupool.controller.core.Plan;
import io.gpupool.controller.core.Policies;
import io.gpupool.controller.core.PolicyScheduler;
import io.gpupool.controller.core.SchedulingPolicy;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.ref.Reference;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;

/**
 * Runs the scheduling core the way the live loop does, on a synthetic cluster, and times it.
 *
 * <p>Each pass freezes the state into a snapshot and calls {@code schedule()} once over the whole
 * queue; the plan's placements start and its preemption victims stop; then {@link #COMPLETED_SHARE}
 * of the running work completes and the next pass runs, {@link #PASS_INTERVAL} of virtual time
 * later. The run ends when every task was placed, when {@link BenchConfig#maxPasses()} passes ran,
 * or when nothing runs and nothing could be placed. Only the time inside {@code schedule()} counts;
 * building snapshots and applying plans does not. Both the wall time and the scheduling thread's
 * CPU time are kept: on a shared machine the second shows what other processes added to the first.
 *
 * <p>Stateless; each call builds its own cluster. Runs on the calling thread, for seconds at the
 * default sizes.
 */
public final class SchedulerBenchmark {
  /** Share of the running tasks that complete between two passes. */
  static final double COMPLETED_SHARE = 0.05;

  /** Virtual time between two passes. */
  static final Duration PASS_INTERVAL = Duration.ofSeconds(30);

  private static final long MIB = 1L << 20;

  /**
   * Runs a tenth-size warm-up first, so the measured run sees compiled code, then the run.
   *
   * @throws IllegalStateException when the policy places a task that is not pending, or on a GPU
   *     that is busy or missing (a bug in the core, never a slow result)
   */
  public BenchResult runWarmedUp(BenchConfig config) {
    BenchConfig warmup = config.warmup();
    run(warmup, null);
    return run(config, warmup);
  }

  /**
   * Runs once, on a cold or warm JVM as it finds it.
   *
   * @throws IllegalStateException as {@link #runWarmedUp} does
   */
  public BenchResult run(BenchConfig config) {
    return run(config, null);
  }

  private BenchResult run(BenchConfig config, BenchConfig warmup) {
    SchedulingPolicy named = Policies.create(config.policy());
    DecisionRecorder recorder = new DecisionRecorder();
    SchedulingPolicy policy =
        named instanceof PolicyScheduler scheduler
            ? new PolicyScheduler(scheduler.config(), recorder)
            : named;
    Workload workload = Workload.generate(config);
    BenchCluster cluster = new BenchCluster(workload);
    // Its own stream, so the completions do not shift when the workload's generation changes.
    Random completions = new Random(config.seed() * 31 + 7);

    int passes = 0;
    long placements = 0;
    long preemptions = 0;
    long scheduleNanos = 0;
    long scheduleCpuNanos = 0;
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    while (passes < config.maxPasses() && cluster.pendingCount() > 0) {
      Instant now = workload.start().plus(PASS_INTERVAL.multipliedBy(passes));
      ClusterSnapshot snapshot = cluster.snapshot(now);
      long cpuStarted = threads.getCurrentThreadCpuTime();
      long started = System.nanoTime();
      Plan plan = policy.schedule(snapshot);
      scheduleNanos += System.nanoTime() - started;
      scheduleCpuNanos += threads.getCurrentThreadCpuTime() - cpuStarted;
      passes++;
      cluster.apply(plan, now);
      placements += plan.placements().size();
      preemptions += plan.preemptions().size();
      if (plan.placements().isEmpty() && cluster.runningCount() == 0) {
        break; // nothing will ever free up: what is left can never be placed
      }
      cluster.completeSome(COMPLETED_SHARE, completions);
    }

    long[] latencies = recorder.sorted();
    long heapMb = usedHeapMb();
    Reference.reachabilityFence(cluster);
    return new BenchResult(
        config,
        warmup,
        passes,
        placements,
        preemptions,
        cluster.pendingCount(),
        cluster.totalGpus(),
        cluster.peakBusyGpus(),
        scheduleNanos,
        scheduleCpuNanos,
        latencies.length,
        DecisionRecorder.percentile(latencies, 50),
        DecisionRecorder.percentile(latencies, 99),
        latencies.length == 0 ? 0 : latencies[latencies.length - 1],
        heapMb);
  }

  private static long usedHeapMb() {
    System.gc(); // what stays is what the cluster and the core hold, not garbage of the last pass
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / MIB;
  }
}
