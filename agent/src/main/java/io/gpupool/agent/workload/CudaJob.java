package io.gpupool.agent.workload;

import io.gpupool.agent.cuda.CudaDriver;
import io.gpupool.proto.v1.TaskResult;
import java.util.Optional;

/** CUDA work the agent runs itself, on a thread of its own ({@link CudaExecution}). */
interface CudaJob {

  /**
   * Checks what can be checked before any driver is loaded (devices, limits).
   *
   * @return the failed result when the job cannot run; empty when it may
   */
  Optional<TaskResult> reject();

  /**
   * Runs the job to its end on the calling thread.
   *
   * @return the result: exit code 0 when it succeeded; otherwise no exit code, a reason code and a
   *     message. Never throws for CUDA errors.
   */
  TaskResult run(CudaDriver driver);
}
