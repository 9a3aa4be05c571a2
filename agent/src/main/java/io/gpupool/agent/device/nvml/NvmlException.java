package io.gpupool.agent.device.nvml;

/**
 * An NVML call that did not succeed: the function, NVML's return code and its error string.
 * Immutable.
 */
public final class NvmlException extends Exception {

  /** nvmlReturn_t codes that gpupool tells apart. */
  public static final int NOT_SUPPORTED = 3;

  /** The caller lacks the permission (e.g. a non-root user asking for some counters). */
  public static final int NO_PERMISSION = 4;

  /** A buffer was too small; the call said how large it must be. */
  public static final int INSUFFICIENT_SIZE = 7;

  /** A wait ran out of time without an event. */
  public static final int TIMEOUT = 10;

  /** The library lacks the function (an older driver), or answered so itself. */
  public static final int FUNCTION_NOT_FOUND = 13;

  /** The GPU fell off the bus or stopped answering. */
  public static final int GPU_IS_LOST = 15;

  /** The GPU needs a reset before it works again. */
  public static final int RESET_REQUIRED = 16;

  /** The GPU is no longer found (e.g. it was removed). */
  public static final int GPU_NOT_FOUND = 28;

  private static final long serialVersionUID = 1L;

  private final String function;
  private final int code;

  /**
   * Creates the exception.
   *
   * @param function the NVML function that failed, e.g. "nvmlDeviceGetPowerUsage"
   * @param code its nvmlReturn_t
   * @param errorString what nvmlErrorString says about the code
   */
  public NvmlException(String function, int code, String errorString) {
    super(function + ": " + errorString + " (NVML error " + code + ")");
    this.function = function;
    this.code = code;
  }

  /** The NVML function that failed. */
  public String function() {
    return function;
  }

  /** NVML's return code. */
  public int code() {
    return code;
  }

  /**
   * True when the measurement is just not available here (not supported, not permitted, or the
   * function missing from this driver): the value is unknown, nothing is wrong.
   */
  public boolean isUnavailable() {
    return code == NOT_SUPPORTED || code == NO_PERMISSION || code == FUNCTION_NOT_FOUND;
  }

  /** True when the error means the GPU itself is gone or broken and needs attention. */
  public boolean isGpuLost() {
    return code == GPU_IS_LOST || code == RESET_REQUIRED || code == GPU_NOT_FOUND;
  }
}
