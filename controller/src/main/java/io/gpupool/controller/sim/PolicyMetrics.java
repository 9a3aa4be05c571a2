package io.gpupool.controller.sim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The numbers that compare policies, computed from one {@link SimulationResult}. Times are in
 * seconds; a statistic over no jobs is NaN.
 *
 * <p>Percentiles are nearest-rank: p95 is the smallest JCT at least 95% of jobs do not exceed.
 *
 * @param policy the policy's name
 * @param jobs jobs that ran to completion
 * @param unschedulable jobs no node could hold (not in any other statistic)
 * @param unfinished jobs the policy left waiting forever (not in any other statistic)
 * @param avgJctSeconds mean job completion time (completion minus arrival)
 * @param p50JctSeconds median JCT
 * @param p95JctSeconds 95th percentile JCT
 * @param p99JctSeconds 99th percentile JCT
 * @param makespanSeconds last completion minus first arrival of the jobs that ran
 * @param avgQueueDelaySeconds mean time from arrival to start
 * @param maxQueueDelaySeconds longest time from arrival to start
 * @param gpuUtilization busy GPU-seconds over (all GPUs times makespan), in [0,1]
 * @param perTenant the same figures per tenant, by tenant name
 */
public record PolicyMetrics(
    String policy,
    int jobs,
    int unschedulable,
    int unfinished,
    double avgJctSeconds,
    double p50JctSeconds,
    double p95JctSeconds,
    double p99JctSeconds,
    double makespanSeconds,
    double avgQueueDelaySeconds,
    double maxQueueDelaySeconds,
    double gpuUtilization,
    SortedMap<String, TenantMetrics> perTenant) {

  /**
   * One tenant's share of a result; the same figures as the controller's GetUsage reports.
   *
   * @param jobs its jobs that ran
   * @param avgJctSeconds their mean completion time
   * @param avgQueueDelaySeconds their mean time from arrival to start
   * @param gpuHours GPUs times true run time, in hours
   * @param p50QueueDelaySeconds median time from arrival to start
   * @param p95QueueDelaySeconds 95th percentile (nearest rank) of that
   * @param p50RunSeconds median run time
   * @param p95RunSeconds 95th percentile (nearest rank) run time
   */
  public record TenantMetrics(
      int jobs,
      double avgJctSeconds,
      double avgQueueDelaySeconds,
      double gpuHours,
      double p50QueueDelaySeconds,
      double p95QueueDelaySeconds,
      double p50RunSeconds,
      double p95RunSeconds) {}

  /** Copies the tenant map. */
  public PolicyMetrics {
    perTenant = Collections.unmodifiableSortedMap(new TreeMap<>(perTenant));
  }

  /** The metrics of {@code result} on a cluster of {@code gpus} GPUs. */
  public static PolicyMetrics of(SimulationResult result, int gpus) {
    List<JobRun> runs = result.runs();
    int n = runs.size();
    long[] jcts = new long[n];
    double jctSum = 0;
    double delaySum = 0;
    long maxDelay = 0;
    long firstArrival = Long.MAX_VALUE;
    long lastCompletion = Long.MIN_VALUE;
    double busyGpuMillis = 0;
    Map<String, double[]> byTenant = new TreeMap<>();
    Map<String, List<JobRun>> tenantRuns = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      JobRun run = runs.get(i);
      jcts[i] = run.jctMillis();
      jctSum += run.jctMillis();
      delaySum += run.queueDelayMillis();
      maxDelay = Math.max(maxDelay, run.queueDelayMillis());
      firstArrival = Math.min(firstArrival, run.job().submitMillis());
      lastCompletion = Math.max(lastCompletion, run.endMillis());
      busyGpuMillis += (double) run.job().gpus() * run.job().durationMillis();
      double[] tenant = byTenant.computeIfAbsent(tenantOf(run.job()), t -> new double[4]);
      tenant[0]++;
      tenant[1] += run.jctMillis();
      tenant[2] += run.queueDelayMillis();
      tenant[3] += (double) run.job().gpus() * run.job().durationMillis();
      tenantRuns.computeIfAbsent(tenantOf(run.job()), t -> new ArrayList<>()).add(run);
    }
    Arrays.sort(jcts);
    double makespan = n == 0 ? 0 : (lastCompletion - firstArrival) / 1000.0;
    SortedMap<String, TenantMetrics> perTenant = new TreeMap<>();
    byTenant.forEach(
        (tenant, sums) -> {
          List<JobRun> own = tenantRuns.get(tenant);
          long[] delays = own.stream().mapToLong(JobRun::queueDelayMillis).sorted().toArray();
          long[] runTimes =
              own.stream().mapToLong(r -> r.endMillis() - r.startMillis()).sorted().toArray();
          perTenant.put(
              tenant,
              new TenantMetrics(
                  (int) sums[0],
                  sums[1] / sums[0] / 1000,
                  sums[2] / sums[0] / 1000,
                  sums[3] / 3_600_000,
                  percentile(delays, 0.50),
                  percentile(delays, 0.95),
                  percentile(runTimes, 0.50),
                  percentile(runTimes, 0.95)));
        });
    return new PolicyMetrics(
        result.policy(),
        n,
        result.unschedulable().size(),
        result.unfinished().size(),
        n == 0 ? Double.NaN : jctSum / n / 1000,
        percentile(jcts, 0.50),
        percentile(jcts, 0.95),
        percentile(jcts, 0.99),
        makespan,
        n == 0 ? Double.NaN : delaySum / n / 1000,
        n == 0 ? Double.NaN : maxDelay / 1000.0,
        makespan > 0 ? busyGpuMillis / 1000 / gpus / makespan : Double.NaN,
        perTenant);
  }

  /** The tenant a job is reported under: its own, or "default" as the core names it. */
  static String tenantOf(TraceJob job) {
    return Simulator.profile(job).tenant();
  }

  /** Nearest-rank percentile of sorted millisecond values, in seconds; NaN for none. */
  static double percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(p * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))] / 1000.0;
  }
}
