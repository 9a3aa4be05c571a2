package io.gpupool.agent.workload;

import com.sun.security.auth.module.UnixSystem;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Resolves which user a workload runs as, given the agent's own user and the user database: the
 * agent's own user unless told otherwise; another user only when the agent is root.
 *
 * <p>Immutable; thread-safe.
 */
final class WorkloadUsers {

  private final WorkloadUser agent;
  private final PasswdLookup users;

  /**
   * @param agent the user the agent runs as
   * @param users the user database
   */
  WorkloadUsers(WorkloadUser agent, PasswdLookup users) {
    this.agent = agent;
    this.users = users;
  }

  /** This JVM's user and the machine's user database. */
  static WorkloadUsers system() {
    PasswdLookup users = PasswdLookup.system();
    UnixSystem self = new UnixSystem();
    String name = self.getUsername();
    Optional<WorkloadUser> known = users.find(Long.toString(self.getUid()));
    WorkloadUser agent =
        new WorkloadUser(
            name != null
                ? name
                : known.map(WorkloadUser::name).orElse(Long.toString(self.getUid())),
            self.getUid(),
            self.getGid(),
            known.map(WorkloadUser::home).orElse(Path.of(System.getProperty("user.home"))));
    return new WorkloadUsers(agent, users);
  }

  /** The user the agent runs as. */
  WorkloadUser agent() {
    return agent;
  }

  /**
   * The user a workload runs as.
   *
   * @param runAs a user name or uid; null for the agent's own user
   * @throws IllegalArgumentException when there is no such user, or the agent is not root and the
   *     user is another
   */
  WorkloadUser resolve(String runAs) {
    if (runAs == null) {
      return agent;
    }
    if (runAs.isBlank()) {
      throw new IllegalArgumentException("the user name is blank");
    }
    if (!PasswdLookup.isValidName(runAs)) {
      throw new IllegalArgumentException("'" + runAs + "' is not a user name");
    }
    WorkloadUser user =
        users
            .find(runAs)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "no user '"
                            + runAs
                            + "' on this machine (see getent passwd "
                            + runAs
                            + ")"));
    if (isSwitch(user) && !agent.isRoot()) {
      throw new IllegalArgumentException(
          "the agent runs as "
              + agent.describe()
              + ", not as root, so it can run tasks only as itself, not as "
              + user.describe()
              + ": start the agent as root, or leave --run-as out");
    }
    return user;
  }

  /** True when a workload of this user must switch user (or group) on its way from the agent. */
  boolean isSwitch(WorkloadUser user) {
    return user.uid() != agent.uid() || user.gid() != agent.gid();
  }
}
