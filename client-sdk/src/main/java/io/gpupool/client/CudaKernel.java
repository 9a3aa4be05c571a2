package io.gpupool.client;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A CUDA kernel launch, run by the agent on one assigned GPU through the CUDA driver API and timed
 * with CUDA events. Immutable and thread-safe; build one with {@link #builder()}.
 *
 * <pre>{@code
 * CudaKernel saxpy = CudaKernel.builder()
 *     .ptx(Files.readString(Path.of("saxpy.ptx")))
 *     .kernel("saxpy")
 *     .grid(Dim3.of(4))
 *     .block(Dim3.of(256))
 *     .argument(KernelArgument.int32(1024))
 *     .argument(KernelArgument.float32(2.0f))
 *     .argument(KernelArgument.filledBuffer(4096, 0))
 *     .argument(KernelArgument.buffer(4096).asOutput())
 *     .build();
 * }</pre>
 *
 * <p>The client checks only what is plainly wrong (blank PTX or kernel name, negative shared
 * memory); the controller checks the limits (PTX size, block and grid sizes, argument count, buffer
 * sizes) and rejects a spec over them with {@link ErrorCode#INVALID_ARGUMENT}. A kernel that fails
 * on the device fails its task with the CUDA error name as {@link Task#resultReasonCode()}.
 *
 * @param ptx the PTX module text, as {@code nvcc --ptx} writes it
 * @param kernel name of the {@code .entry} to launch
 * @param grid grid dimensions in blocks
 * @param block block dimensions in threads
 * @param sharedMemoryBytes dynamic shared memory per block
 * @param arguments the kernel's parameters, in order
 */
public record CudaKernel(
    String ptx,
    String kernel,
    Dim3 grid,
    Dim3 block,
    int sharedMemoryBytes,
    List<KernelArgument> arguments) {

  /**
   * Validates and copies the components.
   *
   * @throws IllegalArgumentException naming every invalid component
   * @throws NullPointerException if a component or argument is null
   */
  public CudaKernel {
    Objects.requireNonNull(ptx, "ptx");
    Objects.requireNonNull(kernel, "kernel");
    Objects.requireNonNull(grid, "grid");
    Objects.requireNonNull(block, "block");
    arguments = List.copyOf(arguments);
    List<String> problems = new ArrayList<>();
    if (ptx.isBlank()) {
      problems.add("ptx must not be blank");
    }
    if (kernel.isBlank()) {
      problems.add("kernel must not be blank");
    }
    if (sharedMemoryBytes < 0) {
      problems.add("sharedMemoryBytes must not be negative, got " + sharedMemoryBytes);
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("invalid CUDA kernel: " + String.join("; ", problems));
    }
  }

  /** Returns a new builder: no PTX or kernel, grid and block (1, 1, 1), no arguments. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns a description for logs, with the PTX's length instead of its text. */
  @Override
  public String toString() {
    return "CudaKernel[kernel="
        + kernel
        + ", ptxLength="
        + ptx.length()
        + ", grid="
        + grid
        + ", block="
        + block
        + ", sharedMemoryBytes="
        + sharedMemoryBytes
        + ", arguments="
        + arguments
        + "]";
  }

  /**
   * Collects the values of a {@link CudaKernel}. Not thread-safe; setters reject null at once with
   * {@link NullPointerException}.
   */
  public static final class Builder {
    private String ptx = "";
    private String kernel = "";
    private Dim3 grid = Dim3.of(1);
    private Dim3 block = Dim3.of(1);
    private int sharedMemoryBytes;
    private final List<KernelArgument> arguments = new ArrayList<>();

    private Builder() {}

    /** Sets the PTX module text. */
    public Builder ptx(String ptx) {
      this.ptx = Objects.requireNonNull(ptx, "ptx");
      return this;
    }

    /** Sets the name of the {@code .entry} to launch. */
    public Builder kernel(String kernel) {
      this.kernel = Objects.requireNonNull(kernel, "kernel");
      return this;
    }

    /** Sets the grid dimensions, in blocks; (1, 1, 1) by default. */
    public Builder grid(Dim3 grid) {
      this.grid = Objects.requireNonNull(grid, "grid");
      return this;
    }

    /** Sets the block dimensions, in threads; (1, 1, 1) by default. */
    public Builder block(Dim3 block) {
      this.block = Objects.requireNonNull(block, "block");
      return this;
    }

    /** Sets the dynamic shared memory per block, in bytes; 0 by default. */
    public Builder sharedMemoryBytes(int sharedMemoryBytes) {
      this.sharedMemoryBytes = sharedMemoryBytes;
      return this;
    }

    /** Appends the next kernel parameter. */
    public Builder argument(KernelArgument argument) {
      arguments.add(Objects.requireNonNull(argument, "argument"));
      return this;
    }

    /** Appends the next kernel parameters, in order. */
    public Builder arguments(KernelArgument... arguments) {
      return arguments(Arrays.asList(arguments));
    }

    /** Appends the next kernel parameters, in order. */
    public Builder arguments(List<KernelArgument> arguments) {
      arguments.forEach(this::argument);
      return this;
    }

    /**
     * Returns the kernel launch.
     *
     * @throws IllegalArgumentException naming every invalid value
     */
    public CudaKernel build() {
      return new CudaKernel(ptx, kernel, grid, block, sharedMemoryBytes, arguments);
    }
  }
}
