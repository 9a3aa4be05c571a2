package io.gpupool.agent.workload;

/**
 * Lets tests outside this package simulate an agent killed with SIGKILL (see TaskRunner.abandon).
 */
public final class AbandonedRunners {

  private AbandonedRunners() {}

  /** Stops the runner's threads without stopping its tasks or reporting anything more. */
  public static void abandon(TaskRunner runner) {
    runner.abandon();
  }
}
