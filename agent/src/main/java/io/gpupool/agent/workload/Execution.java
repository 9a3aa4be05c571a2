package io.gpupool.agent.workload;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * One run of a task's workload, whatever its kind, from start to the ended update: a process
 * ({@link CommandExecution}) or CUDA work in the agent itself ({@link CudaExecution}).
 *
 * <p>Implementations are thread-safe; {@link #start()} is called once, before any other method.
 */
interface Execution {

  /** Starts the workload, or ends the task at once when it cannot run. */
  void start();

  /** Completes after the ended update was handed to the sink. */
  CompletableFuture<Void> ended();

  /** The spec's time between SIGTERM and SIGKILL. */
  Duration gracePeriod();

  /** Stops the workload; only the first stop counts. */
  void stop(StopReason reason, Duration grace);

  /**
   * Preempts the workload after a notice period.
   *
   * @return false when ignored: not running, already has notice, or stopping
   */
  boolean preempt(String reason, Duration noticePeriod);
}
