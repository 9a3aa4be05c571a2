package io.gpupool.controller.core;

import java.time.Duration;
import java.util.Optional;

/**
 * Who a task belongs to and how it should be ordered: what queue-order policies look at.
 *
 * @param tenant the team or user it runs for; fair share and quotas are per tenant
 * @param name the task's name; runtime learning keys on (tenant, name)
 * @param priority priority class value; higher runs first and may preempt lower preemptible work
 * @param preemptible true when the task may be stopped (with notice) for higher-priority work
 * @param computeIntensity C in [0,1]: how compute-bound the task is
 * @param timeSensitivity T in [0,1]: how urgently its result is needed
 * @param memoryNeed M in [0,1]: how much of a GPU's memory it needs
 * @param userEstimate the runtime the user expects, which takes precedence over learned estimates
 */
public record TaskProfile(
    String tenant,
    String name,
    int priority,
    boolean preemptible,
    double computeIntensity,
    double timeSensitivity,
    double memoryNeed,
    Optional<Duration> userEstimate) {

  /** A task of the default tenant with no hints. */
  public static final TaskProfile DEFAULT =
      new TaskProfile("default", "", 0, false, 0, 0, 0, Optional.empty());

  public TaskProfile {
    tenant = tenant == null || tenant.isEmpty() ? "default" : tenant;
    name = name == null ? "" : name;
    computeIntensity = clamp(computeIntensity);
    timeSensitivity = clamp(timeSensitivity);
    memoryNeed = clamp(memoryNeed);
  }

  private static double clamp(double value) {
    return Double.isNaN(value) ? 0 : Math.max(0, Math.min(1, value));
  }
}
