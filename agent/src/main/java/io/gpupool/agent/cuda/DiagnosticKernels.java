package io.gpupool.agent.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The PTX of the built-in diagnostics, shipped as resources next to this class and generated from
 * {@code agent/src/main/cuda/*.cu} by {@code generate-ptx.sh} (compute_75, PTX ISA 7.0: drivers
 * back to CUDA 11.0 load it).
 */
final class DiagnosticKernels {

  /** The memory-bandwidth module's resource. */
  static final String MEMORY_BANDWIDTH_PTX = "memory_bandwidth.ptx";

  /** Its kernel: {@code (const u32* source, u32* destination, u64 words)}, grid-stride copy. */
  static final String COPY_KERNEL = "gpupool_copy";

  /** The FMA-throughput module's resource. */
  static final String FMA_THROUGHPUT_PTX = "fma_throughput.ptx";

  /** Its kernel: {@code (f32* out, s32 iterations, f32 a, f32 b)}, eight fmaf chains per thread. */
  static final String FMA_KERNEL = "gpupool_fma";

  /** Independent FMA chains per thread in the FMA kernel, and their start values 1 to 8. */
  static final int FMA_CHAINS = 8;

  private DiagnosticKernels() {}

  /** The PTX text of a module; a missing resource is a packaging bug. */
  static String ptx(String resource) {
    try (InputStream in = DiagnosticKernels.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("the agent jar lacks the resource " + resource);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What every thread of the FMA kernel writes, computed as the kernel does (fmaf, then adds). */
  static float expectedFma(int iterations, float a, float b) {
    float[] x = new float[FMA_CHAINS];
    for (int chain = 0; chain < FMA_CHAINS; chain++) {
      x[chain] = chain + 1;
    }
    for (int i = 0; i < iterations; i++) {
      for (int chain = 0; chain < FMA_CHAINS; chain++) {
        x[chain] = Math.fma(x[chain], a, b);
      }
    }
    float sum = x[0];
    for (int chain = 1; chain < FMA_CHAINS; chain++) {
      sum += x[chain];
    }
    return sum;
  }
}
