package io.gpupool.agent.session;

import io.gpupool.proto.v1.CancelTaskCommand;
import io.gpupool.proto.v1.PreemptTaskCommand;
import io.gpupool.proto.v1.StartTask;
import java.util.Set;

/**
 * Where the session delivers the controller's commands. Called from the session's thread, one
 * command at a time, in the order the controller sent them; implementations should return quickly
 * and report outcomes as task updates, never by throwing.
 */
public interface TaskCommands {

  /**
   * Starts an attempt of a task; a start of a running task, or of an attempt not newer than the
   * last one started (a resent command), must be ignored.
   */
  void start(StartTask command);

  /** Cancels a task; an unknown or finished task must be ignored. */
  void cancel(CancelTaskCommand command);

  /**
   * Preempts a task: notice to the workload, then stop it (see {@link PreemptTaskCommand}); its
   * ended update says preempted unless a cancel wins. An unknown or finished task, or one already
   * preempted, must be ignored.
   */
  void preempt(PreemptTaskCommand command);

  /**
   * Ids of the tasks running now. Reported in every hello (with the tasks whose updates are still
   * unacknowledged), so that the controller can tell tasks lost in an agent restart from tasks that
   * kept running while it was away.
   */
  Set<String> runningTaskIds();
}
