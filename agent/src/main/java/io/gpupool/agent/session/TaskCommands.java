package io.gpupool.agent.session;

import io.gpupool.proto.v1.CancelTaskCommand;
import io.gpupool.proto.v1.StartTask;

/**
 * Where the session delivers the controller's commands. Called from the session's thread, one
 * command at a time, in the order the controller sent them; implementations should return quickly
 * and report outcomes as task updates, never by throwing.
 */
public interface TaskCommands {

  /** Starts a task; a task id already known to the agent must be ignored. */
  void start(StartTask command);

  /** Cancels a task; an unknown or finished task must be ignored. */
  void cancel(CancelTaskCommand command);
}
