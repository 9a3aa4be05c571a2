package io.gpupool.controller.bench;

import io.gpupool.controller.core.Policies;

/**
 * One scheduler benchmark: the cluster, the queue, the policy and the seed that makes the workload.
 *
 * @param nodes ready nodes in the cluster
 * @param gpusPerNode GPUs on each node
 * @param tasks pending tasks at the start
 * @param policy the policy name, as {@link Policies#create(String)} accepts it
 * @param seed seeds the cluster, the queue and which running tasks complete between passes
 * @param maxPasses the run stops after this many passes even if tasks are left
 */
public record BenchConfig(
    int nodes, int gpusPerNode, int tasks, String policy, long seed, int maxPasses) {

  /** Passes allowed by default: far more than a complete run needs at the default sizes. */
  public static final int DEFAULT_MAX_PASSES = 1000;

  /**
   * @throws IllegalArgumentException naming the parameter when a size is out of range or the policy
   *     is unknown
   */
  public BenchConfig {
    requireAtLeast("nodes", nodes, 1);
    requireAtLeast("gpusPerNode", gpusPerNode, 1);
    requireAtLeast("tasks", tasks, 1);
    requireAtLeast("maxPasses", maxPasses, 1);
    if (gpusPerNode > 64) {
      throw new IllegalArgumentException("gpusPerNode must be at most 64, got " + gpusPerNode);
    }
    if (!Policies.names().contains(policy)) {
      throw new IllegalArgumentException(
          "unknown policy '"
              + policy
              + "'; known policies: "
              + String.join(", ", Policies.names()));
    }
  }

  /** The default policy, seed 1 and {@link #DEFAULT_MAX_PASSES}. */
  public static BenchConfig of(int nodes, int gpusPerNode, int tasks) {
    return new BenchConfig(nodes, gpusPerNode, tasks, "default", 1, DEFAULT_MAX_PASSES);
  }

  /** A tenth of this run (at least one node and one task), to warm the JVM up on the same code. */
  BenchConfig warmup() {
    return new BenchConfig(
        Math.max(1, nodes / 10), gpusPerNode, Math.max(1, tasks / 10), policy, seed, maxPasses);
  }

  private static void requireAtLeast(String name, int value, int min) {
    if (value < min) {
      throw new IllegalArgumentException(name + " must be at least " + min + ", got " + value);
    }
  }
}
