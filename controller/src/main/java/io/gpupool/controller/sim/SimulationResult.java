package io.gpupool.controller.sim;

import java.util.List;

/**
 * What happened to every job of a trace under one policy.
 *
 * <p>Immutable once returned by the {@link Simulator}; safe to share between threads.
 *
 * @param policy the policy's name
 * @param runs the jobs that ran, in completion order (time, then job id)
 * @param unschedulable jobs that need more GPUs of their type than any node has; never queued
 * @param unfinished jobs the policy left waiting on a cluster with nothing running and nothing left
 *     to arrive (a policy bug: they would wait forever); empty for a correct policy
 * @param timeline queue length and busy GPUs over time
 * @param policyCalls how many times the policy was asked for a plan
 */
public record SimulationResult(
    String policy,
    List<JobRun> runs,
    List<TraceJob> unschedulable,
    List<TraceJob> unfinished,
    Timeline timeline,
    long policyCalls) {

  /** Copies the lists. */
  public SimulationResult {
    runs = List.copyOf(runs);
    unschedulable = List.copyOf(unschedulable);
    unfinished = List.copyOf(unfinished);
  }
}
