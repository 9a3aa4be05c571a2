package io.gpupool.agent.workload;

import java.nio.file.Path;

/**
 * A user that command workloads run as, as the user database names it.
 *
 * <p>A root agent runs workloads as any user (through {@code setpriv}); any other agent only as
 * itself. See {@link #resolve(String)} for the rules.
 *
 * @param name the user name; the workload's USER and LOGNAME
 * @param uid the user id
 * @param gid the primary group id
 * @param home the home directory the database names; it need not exist (nobody's is {@code
 *     /nonexistent}), in which case the workload's HOME is its task's work dir
 */
public record WorkloadUser(String name, long uid, long gid, Path home) {

  /** True for uid 0. */
  public boolean isRoot() {
    return uid == 0;
  }

  /** The user this JVM (the agent) runs as. */
  public static WorkloadUser agent() {
    return WorkloadUsers.system().agent();
  }

  /**
   * The user workloads run as for a {@code --run-as} value.
   *
   * @param runAs a user name, or a uid; null for the agent's own user
   * @throws IllegalArgumentException when there is no such user, or when the agent does not run as
   *     root and the name is not its own user (only root can start processes as another user); the
   *     message says which, without the flag's name
   */
  public static WorkloadUser resolve(String runAs) {
    return WorkloadUsers.system().resolve(runAs);
  }

  /** "nobody (uid 65534)". */
  String describe() {
    return name + " (uid " + uid + ")";
  }
}
