package io.gpupool.controller.api;

import io.gpupool.proto.v1.CudaKernelWorkload;
import io.gpupool.proto.v1.DeviceBuffer;
import io.gpupool.proto.v1.Dim3;
import io.gpupool.proto.v1.KernelArgument;

/**
 * Checks a {@code cuda_kernel} workload against {@link KernelLimits} and what can be read from its
 * PTX (version, target, the named entry), so a bad launch fails at submit, not on a GPU. Adds every
 * problem to the caller's {@link Violations}, each naming its field.
 */
final class KernelValidator {
  private KernelValidator() {}

  static void validate(CudaKernelWorkload kernel, String field, Violations v) {
    ptx(kernel, field, v);
    dims(
        kernel.getGrid(),
        field + ".grid",
        KernelLimits.MAX_GRID_X,
        KernelLimits.MAX_GRID_Y,
        KernelLimits.MAX_GRID_Z,
        v);
    Dim3 block = kernel.getBlock();
    dims(
        block,
        field + ".block",
        KernelLimits.MAX_BLOCK_X,
        KernelLimits.MAX_BLOCK_Y,
        KernelLimits.MAX_BLOCK_Z,
        v);
    long threads = (long) orOne(block.getX()) * orOne(block.getY()) * orOne(block.getZ());
    v.check(
        threads <= KernelLimits.MAX_THREADS_PER_BLOCK,
        field + ".block",
        "x*y*z must be at most " + KernelLimits.MAX_THREADS_PER_BLOCK + ", is " + threads);
    int shared = kernel.getSharedMemoryBytes();
    v.check(
        shared >= 0 && shared <= KernelLimits.MAX_SHARED_MEMORY_BYTES,
        field + ".shared_memory_bytes",
        "must be 0 to " + KernelLimits.MAX_SHARED_MEMORY_BYTES + " (227 KiB), is " + shared);
    arguments(kernel, field + ".arguments", v);
  }

  private static void ptx(CudaKernelWorkload kernel, String field, Violations v) {
    String ptx = kernel.getPtx();
    int bytes = kernel.getPtxBytes().size();
    if (ptx.isBlank()) {
      v.add(field + ".ptx", "required (the PTX module text, as nvcc --ptx writes it)");
    } else if (bytes > KernelLimits.MAX_PTX_BYTES) {
      v.add(
          field + ".ptx",
          "must be at most " + KernelLimits.MAX_PTX_BYTES + " bytes (1 MiB), is " + bytes);
    } else if (ptx.indexOf('\0') >= 0) {
      v.add(field + ".ptx", "must not contain NUL (\\0): the driver reads PTX as a C string");
    } else {
      PtxModule module = PtxModule.parse(ptx);
      v.check(module.hasVersion(), field + ".ptx", "has no .version directive; is it PTX?");
      v.check(module.hasTarget(), field + ".ptx", "has no .target directive; is it PTX?");
      String name = kernel.getKernel();
      if (name.isEmpty()) {
        v.add(field + ".kernel", "required (the name of an .entry in the PTX)");
      } else if (!module.entries().contains(name)) {
        v.add(
            field + ".kernel",
            "no .entry named "
                + Violations.quote(name)
                + " in the PTX (entries: "
                + (module.entries().isEmpty() ? "none" : String.join(", ", module.entries()))
                + ")");
      }
      return;
    }
    v.check(
        !kernel.getKernel().isEmpty(),
        field + ".kernel",
        "required (the name of an .entry in the PTX)");
  }

  private static void dims(Dim3 dim, String field, int maxX, int maxY, int maxZ, Violations v) {
    v.check(
        dim.getX() >= 1 && dim.getX() <= maxX,
        field + ".x",
        "must be 1 to " + maxX + ", is " + dim.getX());
    v.check(
        dim.getY() >= 0 && dim.getY() <= maxY,
        field + ".y",
        "must be 0 to " + maxY + " (0 means 1), is " + dim.getY());
    v.check(
        dim.getZ() >= 0 && dim.getZ() <= maxZ,
        field + ".z",
        "must be 0 to " + maxZ + " (0 means 1), is " + dim.getZ());
  }

  private static void arguments(CudaKernelWorkload kernel, String field, Violations v) {
    v.check(
        kernel.getArgumentsCount() <= KernelLimits.MAX_ARGUMENTS,
        field,
        "at most " + KernelLimits.MAX_ARGUMENTS + " arguments, has " + kernel.getArgumentsCount());
    long bufferBytes = 0;
    long inlineBytes = 0;
    for (int i = 0; i < kernel.getArgumentsCount(); i++) {
      KernelArgument argument = kernel.getArguments(i);
      String at = field + "[" + i + "]";
      if (argument.getValueCase() == KernelArgument.ValueCase.VALUE_NOT_SET) {
        v.add(
            at,
            "a value is required (int32_value, int64_value, float_value, double_value or"
                + " buffer)");
        continue;
      }
      if (!argument.hasBuffer()) {
        continue;
      }
      DeviceBuffer buffer = argument.getBuffer();
      v.check(
          buffer.getSizeBytes() >= 1,
          at + ".buffer.size_bytes",
          "must be at least 1, is " + buffer.getSizeBytes());
      v.check(
          buffer.getSizeBytes() <= KernelLimits.MAX_BUFFER_BYTES,
          at + ".buffer.size_bytes",
          "must be at most "
              + KernelLimits.MAX_BUFFER_BYTES
              + " (4 GiB), is "
              + buffer.getSizeBytes());
      // Each term is at most 4 GiB after the check above, so 32 of them cannot overflow.
      bufferBytes +=
          Math.min(Math.max(0, buffer.getSizeBytes()), KernelLimits.MAX_BUFFER_BYTES + 1);
      if (buffer.hasFillByte()) {
        v.check(
            buffer.getFillByte() >= 0 && buffer.getFillByte() <= 255,
            at + ".buffer.fill_byte",
            "must be 0 to 255, is " + buffer.getFillByte());
      }
      if (buffer.hasData()) {
        int size = buffer.getData().size();
        inlineBytes += size;
        v.check(
            size <= buffer.getSizeBytes(),
            at + ".buffer.data",
            "must be at most size_bytes (" + buffer.getSizeBytes() + ") long, is " + size);
      }
    }
    v.check(
        bufferBytes <= KernelLimits.MAX_BUFFER_BYTES,
        field,
        "buffers must be at most "
            + KernelLimits.MAX_BUFFER_BYTES
            + " bytes (4 GiB) together, are "
            + bufferBytes);
    v.check(
        inlineBytes <= KernelLimits.MAX_INLINE_DATA_BYTES,
        field,
        "inline buffer data must be at most "
            + KernelLimits.MAX_INLINE_DATA_BYTES
            + " bytes (1 MiB) together, is "
            + inlineBytes);
  }

  private static int orOne(int dimension) {
    return dimension == 0 ? 1 : dimension;
  }
}
