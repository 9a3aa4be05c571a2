package io.gpupool.client;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.OptionalInt;

/**
 * One parameter of a CUDA kernel, in the order of the kernel's {@code .param} list: a scalar, or a
 * device buffer the agent allocates and passes as a pointer. Immutable; make them with the static
 * factories, e.g. {@code KernelArgument.int32(1024)} or {@code
 * KernelArgument.buffer(4096).asOutput()}.
 */
public sealed interface KernelArgument {

  /** A 32-bit integer ({@code .s32}/{@code .u32}). */
  static Int32 int32(int value) {
    return new Int32(value);
  }

  /** A 64-bit integer ({@code .s64}/{@code .u64}). */
  static Int64 int64(long value) {
    return new Int64(value);
  }

  /** A 32-bit float ({@code .f32}). */
  static Float32 float32(float value) {
    return new Float32(value);
  }

  /** A 64-bit float ({@code .f64}). */
  static Float64 float64(double value) {
    return new Float64(value);
  }

  /**
   * A zero-filled device buffer of {@code sizeBytes}, not returned.
   *
   * @throws IllegalArgumentException if the size is below 1
   */
  static Buffer buffer(long sizeBytes) {
    return new Buffer(sizeBytes, OptionalInt.empty(), new byte[0], false);
  }

  /**
   * A device buffer with every byte set to {@code fillByte} (0 to 255), not returned.
   *
   * @throws IllegalArgumentException if the size is below 1 or the byte out of range
   */
  static Buffer filledBuffer(long sizeBytes, int fillByte) {
    return new Buffer(sizeBytes, OptionalInt.of(fillByte), new byte[0], false);
  }

  /**
   * A device buffer holding {@code data}, then zeros up to {@code sizeBytes}, not returned.
   *
   * @throws IllegalArgumentException if the size is below 1 or the data longer than the size
   */
  static Buffer bufferOf(long sizeBytes, byte[] data) {
    return new Buffer(sizeBytes, OptionalInt.empty(), data, false);
  }

  /**
   * A 32-bit integer argument.
   *
   * @param value the value passed
   */
  record Int32(int value) implements KernelArgument {}

  /**
   * A 64-bit integer argument.
   *
   * @param value the value passed
   */
  record Int64(long value) implements KernelArgument {}

  /**
   * A 32-bit float argument.
   *
   * @param value the value passed
   */
  record Float32(float value) implements KernelArgument {}

  /**
   * A 64-bit float argument.
   *
   * @param value the value passed
   */
  record Float64(double value) implements KernelArgument {}

  /**
   * A device buffer passed as a pointer. Its initial content is {@code fillByte} in every byte when
   * set, else {@code data} followed by zeros.
   *
   * @param sizeBytes size in bytes, at least 1
   * @param fillByte the byte every position holds before the launch, 0 to 255; empty to use {@code
   *     data}
   * @param data the first bytes before the launch (the rest are zeros); empty with a fill byte
   * @param output true to get the content back after the launch ({@link KernelResult#outputs()})
   */
  record Buffer(long sizeBytes, OptionalInt fillByte, byte[] data, boolean output)
      implements KernelArgument {
    /**
     * Validates and copies the data.
     *
     * @throws IllegalArgumentException if the size is below 1, the fill byte out of 0..255, both a
     *     fill byte and data are given, or the data is longer than the size
     */
    public Buffer {
      if (sizeBytes < 1) {
        throw new IllegalArgumentException("buffer size must be at least 1 byte, got " + sizeBytes);
      }
      fillByte.ifPresent(
          fill -> {
            if (fill < 0 || fill > 255) {
              throw new IllegalArgumentException("buffer fill byte must be 0 to 255, got " + fill);
            }
          });
      data = data.clone();
      if (fillByte.isPresent() && data.length > 0) {
        throw new IllegalArgumentException("a buffer takes a fill byte or data, not both");
      }
      if (data.length > sizeBytes) {
        throw new IllegalArgumentException(
            "buffer data has " + data.length + " bytes, more than its size of " + sizeBytes);
      }
    }

    /** Returns a copy of the initial data. */
    @Override
    public byte[] data() {
      return data.clone();
    }

    /** Returns this buffer, marked to be returned after the launch. */
    public Buffer asOutput() {
      return new Buffer(sizeBytes, fillByte, data, true);
    }

    /** Compares the data by content. */
    @Override
    public boolean equals(Object other) {
      return other instanceof Buffer that
          && sizeBytes == that.sizeBytes
          && fillByte.equals(that.fillByte)
          && Arrays.equals(data, that.data)
          && output == that.output;
    }

    @Override
    public int hashCode() {
      return ((Long.hashCode(sizeBytes) * 31 + fillByte.hashCode()) * 31 + Arrays.hashCode(data))
              * 31
          + Boolean.hashCode(output);
    }

    /** Shows the size, the initial content (data as hex, cut after 16 bytes) and the flag. */
    @Override
    public String toString() {
      String initial =
          fillByte.isPresent()
              ? "fill=" + fillByte.getAsInt()
              : "data="
                  + HexFormat.of().formatHex(data, 0, Math.min(16, data.length))
                  + (data.length > 16 ? "..." : "");
      return "Buffer[size=" + sizeBytes + ", " + initial + ", output=" + output + "]";
    }
  }
}
