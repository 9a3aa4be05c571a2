package io.gpupool.agent.workload;

import io.gpupool.agent.cuda.CudaException;
import io.gpupool.proto.v1.TaskResult;

/** The results of CUDA jobs that could not finish. */
final class CudaResults {

  /** The node cannot run CUDA work (no driver, simulated devices). */
  static final String CUDA_UNAVAILABLE = "CUDA_UNAVAILABLE";

  private CudaResults() {}

  /** Failed without an exit code: nothing ran to an end. */
  static TaskResult failed(String reasonCode, String message) {
    return TaskResult.newBuilder().setReasonCode(reasonCode).setMessage(message).build();
  }

  /** Failed with the CUDA error's name as the reason code. */
  static TaskResult failed(CudaException e) {
    return failed(e.errorName(), e.getMessage());
  }
}
