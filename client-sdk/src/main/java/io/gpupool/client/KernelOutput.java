package io.gpupool.client;

import java.util.Arrays;

/**
 * The content of an output buffer after a kernel launch. Immutable: {@link #data()} returns a copy.
 *
 * @param argumentIndex index of the buffer in {@link CudaKernel#arguments()}
 * @param data the bytes, possibly cut off (see {@code truncated})
 * @param truncated true when {@code data} holds only the first part of the buffer (the controller
 *     returns at most 1 MiB of outputs per task)
 */
public record KernelOutput(int argumentIndex, byte[] data, boolean truncated) {
  /** Copies the data. */
  public KernelOutput {
    data = data.clone();
  }

  /** Returns a copy of the bytes. */
  @Override
  public byte[] data() {
    return data.clone();
  }

  /** Compares the data by content. */
  @Override
  public boolean equals(Object other) {
    return other instanceof KernelOutput that
        && argumentIndex == that.argumentIndex
        && Arrays.equals(data, that.data)
        && truncated == that.truncated;
  }

  @Override
  public int hashCode() {
    return (argumentIndex * 31 + Arrays.hashCode(data)) * 31 + Boolean.hashCode(truncated);
  }

  /** Shows the index, the length and the flag; not the bytes. */
  @Override
  public String toString() {
    return "KernelOutput[argumentIndex="
        + argumentIndex
        + ", length="
        + data.length
        + ", truncated="
        + truncated
        + "]";
  }
}
