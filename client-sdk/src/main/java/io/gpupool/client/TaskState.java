package io.gpupool.client;

/** The lifecycle state of a task. A task moves forward only and ends in a terminal state. */
public enum TaskState {
  /** Accepted and durable; waiting for GPUs. {@link Task#reason()} says why it waits. */
  PENDING,
  /** Placed on a node and GPUs; the node's agent has been told to start it. */
  SCHEDULED,
  /** The workload is running. */
  RUNNING,
  /** Ended with exit code 0. Terminal. */
  SUCCEEDED,
  /** Ended with a non-zero exit code, ran too long, or could not start. Terminal. */
  FAILED,
  /** Cancelled by a user before it ended by itself. Terminal. */
  CANCELLED,
  /** A state this client version does not know: the controller is newer. Not terminal. */
  UNKNOWN;

  /** Returns whether the task has ended and will not change state again. */
  public boolean isTerminal() {
    return this == SUCCEEDED || this == FAILED || this == CANCELLED;
  }
}
