package io.gpupool.controller.api;

/**
 * The limits of a {@code cuda_kernel} workload, as the comment on {@code CudaKernelWorkload} in
 * task.proto states them. The agent keeps the same numbers in its own class (it checks again before
 * it touches the driver); change both with the proto comment.
 *
 * <p>Constants only; thread-safe.
 */
public final class KernelLimits {
  /** The PTX text, in UTF-8 bytes. */
  public static final int MAX_PTX_BYTES = 1 << 20;

  /** Threads per block (x * y * z, with 0 counting as 1). */
  public static final int MAX_THREADS_PER_BLOCK = 1024;

  /** Block x. */
  public static final int MAX_BLOCK_X = 1024;

  /** Block y. */
  public static final int MAX_BLOCK_Y = 1024;

  /** Block z. */
  public static final int MAX_BLOCK_Z = 64;

  /** Grid x (2^31 - 1). */
  public static final int MAX_GRID_X = Integer.MAX_VALUE;

  /** Grid y. */
  public static final int MAX_GRID_Y = 65535;

  /** Grid z. */
  public static final int MAX_GRID_Z = 65535;

  /** Dynamic shared memory per block, in bytes (227 KiB, the most any current GPU offers). */
  public static final int MAX_SHARED_MEMORY_BYTES = 227 << 10;

  /** Kernel arguments. */
  public static final int MAX_ARGUMENTS = 32;

  /** Device buffers together, in bytes. */
  public static final long MAX_BUFFER_BYTES = 4L << 30;

  /** Inline buffer data ({@code DeviceBuffer.data}) together, in bytes. */
  public static final int MAX_INLINE_DATA_BYTES = 1 << 20;

  /** Output bytes returned together (enforced by the agent, which cuts off the rest). */
  public static final int MAX_OUTPUT_BYTES = 1 << 20;

  private KernelLimits() {}
}
