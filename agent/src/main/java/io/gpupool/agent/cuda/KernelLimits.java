package io.gpupool.agent.cuda;

import io.gpupool.proto.v1.CudaKernelWorkload;
import io.gpupool.proto.v1.DeviceBuffer;
import io.gpupool.proto.v1.Dim3;
import io.gpupool.proto.v1.KernelArgument;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The limits of a {@code cuda_kernel} workload, as task.proto's {@code CudaKernelWorkload} states
 * them, in one place: the agent checks them before it touches the driver (whatever the controller
 * checked at submit), and the controller's validation should use the same numbers.
 *
 * <p>Stateless and thread-safe.
 */
public final class KernelLimits {

  /** The PTX text, in UTF-8 bytes. */
  public static final int MAX_PTX_BYTES = 1 << 20;

  /** Threads per block (x * y * z). */
  public static final int MAX_THREADS_PER_BLOCK = 1024;

  /** Block x. */
  public static final int MAX_BLOCK_X = 1024;

  /** Block y. */
  public static final int MAX_BLOCK_Y = 1024;

  /** Block z. */
  public static final int MAX_BLOCK_Z = 64;

  /** Grid x. */
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

  /** Output bytes returned together; the rest is cut off and marked truncated. */
  public static final int MAX_OUTPUT_BYTES = 1 << 20;

  private KernelLimits() {}

  /**
   * Every way the workload breaks the limits or the contract, one sentence each naming the field.
   *
   * @return empty when the workload may run
   */
  public static List<String> check(CudaKernelWorkload kernel) {
    List<String> problems = new ArrayList<>();
    if (kernel.getPtx().isBlank()) {
      problems.add("cuda_kernel.ptx is empty");
    } else if (kernel.getPtx().getBytes(StandardCharsets.UTF_8).length > MAX_PTX_BYTES) {
      problems.add("cuda_kernel.ptx is larger than " + MAX_PTX_BYTES + " bytes");
    }
    if (kernel.getKernel().isBlank()) {
      problems.add("cuda_kernel.kernel is empty");
    }
    checkDims("cuda_kernel.grid", kernel.getGrid(), MAX_GRID_X, MAX_GRID_Y, MAX_GRID_Z, problems);
    checkDims(
        "cuda_kernel.block", kernel.getBlock(), MAX_BLOCK_X, MAX_BLOCK_Y, MAX_BLOCK_Z, problems);
    long threads =
        (long) dim(kernel.getBlock().getX())
            * dim(kernel.getBlock().getY())
            * dim(kernel.getBlock().getZ());
    if (threads > MAX_THREADS_PER_BLOCK) {
      problems.add(
          "cuda_kernel.block has "
              + threads
              + " threads (x*y*z); at most "
              + MAX_THREADS_PER_BLOCK);
    }
    if (kernel.getSharedMemoryBytes() < 0
        || kernel.getSharedMemoryBytes() > MAX_SHARED_MEMORY_BYTES) {
      problems.add(
          "cuda_kernel.shared_memory_bytes must be 0 to "
              + MAX_SHARED_MEMORY_BYTES
              + ", is "
              + kernel.getSharedMemoryBytes());
    }
    if (kernel.getArgumentsCount() > MAX_ARGUMENTS) {
      problems.add(
          "cuda_kernel.arguments has "
              + kernel.getArgumentsCount()
              + " entries; at most "
              + MAX_ARGUMENTS);
    }
    long bufferBytes = 0;
    long inlineBytes = 0;
    for (int i = 0; i < kernel.getArgumentsCount(); i++) {
      KernelArgument argument = kernel.getArguments(i);
      String field = "cuda_kernel.arguments[" + i + "]";
      if (argument.getValueCase() == KernelArgument.ValueCase.VALUE_NOT_SET) {
        problems.add(field + " has no value");
        continue;
      }
      if (!argument.hasBuffer()) {
        continue;
      }
      DeviceBuffer buffer = argument.getBuffer();
      if (buffer.getSizeBytes() < 1) {
        problems.add(field + ".buffer.size_bytes must be at least 1");
      }
      bufferBytes += Math.max(0, buffer.getSizeBytes());
      if (buffer.hasFillByte() && (buffer.getFillByte() < 0 || buffer.getFillByte() > 255)) {
        problems.add(field + ".buffer.fill_byte must be 0 to 255");
      }
      if (buffer.hasData()) {
        inlineBytes += buffer.getData().size();
        if (buffer.getData().size() > buffer.getSizeBytes()) {
          problems.add(field + ".buffer.data is longer than size_bytes");
        }
      }
    }
    if (bufferBytes > MAX_BUFFER_BYTES) {
      problems.add(
          "cuda_kernel buffers need "
              + bufferBytes
              + " bytes together; at most "
              + MAX_BUFFER_BYTES);
    }
    if (inlineBytes > MAX_INLINE_DATA_BYTES) {
      problems.add(
          "cuda_kernel buffer data is "
              + inlineBytes
              + " bytes together; at most "
              + MAX_INLINE_DATA_BYTES);
    }
    return problems;
  }

  /** A launch dimension as CUDA wants it: y and z of 0 mean 1. */
  public static CudaDriver.Dims dims(Dim3 dim) {
    return new CudaDriver.Dims(dim.getX(), dim(dim.getY()), dim(dim.getZ()));
  }

  private static int dim(int value) {
    return value == 0 ? 1 : value;
  }

  private static void checkDims(
      String field, Dim3 dim, int maxX, int maxY, int maxZ, List<String> problems) {
    if (dim.getX() < 1 || dim.getX() > maxX) {
      problems.add(field + ".x must be 1 to " + maxX + ", not " + dim.getX());
    }
    if (dim.getY() < 0 || dim.getY() > maxY) {
      problems.add(field + ".y must be 0 to " + maxY + ", not " + dim.getY());
    }
    if (dim.getZ() < 0 || dim.getZ() > maxZ) {
      problems.add(field + ".z must be 0 to " + maxZ + ", not " + dim.getZ());
    }
  }
}
