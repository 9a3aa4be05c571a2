package io.gpupool.controller.sim;

/**
 * How one job went in a simulation.
 *
 * @param job the job
 * @param nodeId the node it ran on
 * @param startMillis when it was placed, milliseconds from the trace start
 * @param endMillis when it completed: start plus its true duration
 */
public record JobRun(TraceJob job, String nodeId, long startMillis, long endMillis) {

  /** Time from arrival to start. */
  public long queueDelayMillis() {
    return startMillis - job.submitMillis();
  }

  /** Job completion time: from arrival to completion. */
  public long jctMillis() {
    return endMillis - job.submitMillis();
  }
}
