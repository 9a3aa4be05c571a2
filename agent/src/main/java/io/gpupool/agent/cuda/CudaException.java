package io.gpupool.agent.cuda;

/**
 * A CUDA driver call failed.
 *
 * <p>{@link #errorName()} is the driver's name of the error (e.g. {@code CUDA_ERROR_INVALID_PTX}),
 * which becomes a failed task's reason code; the message says which step failed, in words a user
 * can act on.
 */
public final class CudaException extends Exception {

  private static final long serialVersionUID = 1L;

  private final String errorName;

  /**
   * Creates the exception.
   *
   * @param errorName the CUresult name, e.g. {@code CUDA_ERROR_OUT_OF_MEMORY}
   * @param message what failed, e.g. {@code "loading the PTX module failed:
   *     CUDA_ERROR_INVALID_PTX"}
   */
  public CudaException(String errorName, String message) {
    super(message);
    this.errorName = errorName;
  }

  /** The CUresult name of the error, e.g. {@code CUDA_ERROR_NOT_FOUND}. */
  public String errorName() {
    return errorName;
  }

  /** The same error, its message saying that {@code step} failed: "step failed: NAME". */
  public CudaException during(String step) {
    return new CudaException(errorName, step + " failed: " + errorName);
  }
}
