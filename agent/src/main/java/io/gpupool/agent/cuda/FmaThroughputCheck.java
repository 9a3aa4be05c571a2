package io.gpupool.agent.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Runs the FMA kernel (eight dependent fmaf chains per thread), checks that every thread computed
 * the value {@link DiagnosticKernels#expectedFma} gives, and measures the throughput as 2 * fmas /
 * time (an FMA counts as two floating-point operations).
 */
final class FmaThroughputCheck {

  /** The chains' factor and addend: x converges towards 1 and never overflows. */
  static final float A = 0.9999f;

  static final float B = 0.0001f;

  private static final int BLOCK = 256;
  private static final int BLOCKS_PER_SM = 16;

  private final int iterations;
  private final int repeats;

  FmaThroughputCheck(int iterations, int repeats) {
    this.iterations = iterations;
    this.repeats = repeats;
  }

  /**
   * Runs the check in the current context.
   *
   * @return the throughput in GFLOP/s
   */
  double run(CudaDriver driver, CudaDeviceProperties device)
      throws CudaException, WrongResultException {
    int grid = DiagnosticLaunch.gridFor(device, BLOCKS_PER_SM);
    long threads = (long) grid * BLOCK;
    CudaDriver.Module module =
        driver.loadModule(DiagnosticKernels.ptx(DiagnosticKernels.FMA_THROUGHPUT_PTX));
    try {
      CudaDriver.Function fma = driver.function(module, DiagnosticKernels.FMA_KERNEL);
      CudaDriver.DeviceMemory out = driver.allocate(threads * Float.BYTES);
      try {
        driver.fill(out, 0);
        List<CudaDriver.KernelParam> params =
            List.of(
                new CudaDriver.PointerParam(out),
                new CudaDriver.Int32Param(iterations),
                new CudaDriver.Float32Param(A),
                new CudaDriver.Float32Param(B));
        double millis = DiagnosticLaunch.timed(driver, fma, grid, BLOCK, params, repeats);
        verify(driver, out, threads);
        double fmas = (double) threads * iterations * DiagnosticKernels.FMA_CHAINS * repeats;
        return 2.0 * fmas / (millis / 1e3) / 1e9;
      } finally {
        driver.free(out);
      }
    } finally {
      driver.unloadModule(module);
    }
  }

  private void verify(CudaDriver driver, CudaDriver.DeviceMemory out, long threads)
      throws CudaException, WrongResultException {
    byte[] bytes = new byte[(int) (threads * Float.BYTES)];
    driver.copyToHost(out, 0, bytes);
    float expected = DiagnosticKernels.expectedFma(iterations, A, B);
    ByteBuffer values = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    for (int thread = 0; thread < threads; thread++) {
      float actual = values.getFloat();
      if (Float.floatToIntBits(actual) != Float.floatToIntBits(expected)) {
        throw new WrongResultException(
            "FMA throughput: thread " + thread + " computed " + actual + " instead of " + expected);
      }
    }
  }
}
