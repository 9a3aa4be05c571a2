package io.gpupool.agent.workload;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * How a runner treats command workloads: whom they run as, what of the agent's environment they
 * see, and how much output they may send.
 *
 * @param runAs the user (name or uid) workloads run as; empty for the agent's own user. Only a root
 *     agent can name another user.
 * @param agentEnvironment the agent's environment, from which a workload gets only PATH, LANG,
 *     LC_*, TZ, the MPS directories and the {@code passEnv} variables (never the agent's tokens)
 * @param passEnv names of further variables of the agent's environment that workloads get
 * @param outputLimits caps on a task's output
 */
public record WorkloadSettings(
    Optional<String> runAs,
    Map<String, String> agentEnvironment,
    Set<String> passEnv,
    OutputLimits outputLimits) {

  /** Copies the collections. */
  public WorkloadSettings {
    agentEnvironment = Map.copyOf(agentEnvironment);
    passEnv = Set.copyOf(passEnv);
  }

  /**
   * The agent's own user, this JVM's environment, nothing more passed, the default output limits.
   */
  public static WorkloadSettings defaults() {
    return new WorkloadSettings(Optional.empty(), System.getenv(), Set.of(), OutputLimits.DEFAULT);
  }

  /** The same with another run-as user (null: the agent's own). */
  public WorkloadSettings withRunAs(String user) {
    return new WorkloadSettings(Optional.ofNullable(user), agentEnvironment, passEnv, outputLimits);
  }

  /** The same with another agent environment. */
  public WorkloadSettings withAgentEnvironment(Map<String, String> environment) {
    return new WorkloadSettings(runAs, environment, passEnv, outputLimits);
  }

  /** The same with other passed variables. */
  public WorkloadSettings withPassEnv(Set<String> names) {
    return new WorkloadSettings(runAs, agentEnvironment, names, outputLimits);
  }

  /** The same with other output limits. */
  public WorkloadSettings withOutputLimits(OutputLimits limits) {
    return new WorkloadSettings(runAs, agentEnvironment, passEnv, limits);
  }
}
