package io.gpupool.controller.sim;

import java.util.List;
import java.util.Map;

/**
 * The comparison of policies on one trace and cluster: what {@code gpupool simulate} writes.
 *
 * <p>Immutable and thread-safe. {@link #toJson()} is deterministic: keys in a fixed order, seconds
 * with 1 decimal, ratios with 3.
 *
 * @param traceName the trace's name (its file name)
 * @param traceJobs every job in the trace, schedulable or not
 * @param cluster the cluster
 * @param lowerBounds what no policy can beat, over the jobs some node can hold
 * @param policies one entry per policy, in the order they were run
 */
public record SimulationReport(
    String traceName,
    int traceJobs,
    ClusterSpec cluster,
    LowerBounds lowerBounds,
    List<PolicyMetrics> policies) {

  /** Copies the list. */
  public SimulationReport {
    policies = List.copyOf(policies);
  }

  /** The report for results of {@code simulator}'s runs, in the order given. */
  public static SimulationReport of(Simulator simulator, List<SimulationResult> results) {
    ClusterSpec cluster = simulator.cluster();
    return new SimulationReport(
        simulator.trace().name(),
        simulator.trace().jobs().size(),
        cluster,
        LowerBounds.of(simulator.schedulableJobs(), cluster.gpus()),
        results.stream().map(r -> PolicyMetrics.of(r, cluster.gpus())).toList());
  }

  /** The report as an indented JSON document ending in a newline. */
  public String toJson() {
    JsonWriter json = new JsonWriter().beginObject();
    json.name("trace").beginObject();
    json.name("file").value(traceName);
    json.name("jobs").value(traceJobs);
    json.endObject();
    json.name("cluster").beginObject();
    json.name("spec").value(cluster.spec());
    json.name("gpus").value(cluster.gpus());
    json.endObject();
    json.name("lower_bounds").beginObject();
    seconds(json, "makespan_s", lowerBounds.makespanSeconds());
    seconds(json, "avg_jct_s", lowerBounds.avgJctSeconds());
    json.endObject();
    json.name("results").beginArray();
    for (PolicyMetrics p : policies) {
      json.beginObject();
      json.name("policy").value(p.policy());
      json.name("jobs").value(p.jobs());
      json.name("unschedulable").value(p.unschedulable());
      json.name("unfinished").value(p.unfinished());
      seconds(json, "avg_jct_s", p.avgJctSeconds());
      seconds(json, "p50_jct_s", p.p50JctSeconds());
      seconds(json, "p95_jct_s", p.p95JctSeconds());
      seconds(json, "p99_jct_s", p.p99JctSeconds());
      seconds(json, "makespan_s", p.makespanSeconds());
      seconds(json, "avg_queue_delay_s", p.avgQueueDelaySeconds());
      seconds(json, "max_queue_delay_s", p.maxQueueDelaySeconds());
      json.name("gpu_utilization").value(p.gpuUtilization(), 3);
      json.name("per_tenant").beginObject();
      for (Map.Entry<String, PolicyMetrics.TenantMetrics> tenant : p.perTenant().entrySet()) {
        json.name(tenant.getKey()).beginObject();
        json.name("jobs").value(tenant.getValue().jobs());
        seconds(json, "avg_jct_s", tenant.getValue().avgJctSeconds());
        seconds(json, "avg_queue_delay_s", tenant.getValue().avgQueueDelaySeconds());
        json.name("gpu_hours").value(tenant.getValue().gpuHours(), 3);
        seconds(json, "p50_queue_delay_s", tenant.getValue().p50QueueDelaySeconds());
        seconds(json, "p95_queue_delay_s", tenant.getValue().p95QueueDelaySeconds());
        seconds(json, "p50_run_s", tenant.getValue().p50RunSeconds());
        seconds(json, "p95_run_s", tenant.getValue().p95RunSeconds());
        json.endObject();
      }
      json.endObject();
      json.endObject();
    }
    json.endArray();
    return json.endObject().toString();
  }

  private static void seconds(JsonWriter json, String name, double seconds) {
    json.name(name).value(seconds, 1);
  }
}
