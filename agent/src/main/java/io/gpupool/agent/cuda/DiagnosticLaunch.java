package io.gpupool.agent.cuda;

import java.util.List;

/** Runs a diagnostic kernel and times it with CUDA events, in the calling thread's context. */
final class DiagnosticLaunch {

  private DiagnosticLaunch() {}

  /**
   * Launches the kernel once to warm up, then {@code repeats} times between two events.
   *
   * @return milliseconds for all repeats
   */
  static double timed(
      CudaDriver driver,
      CudaDriver.Function function,
      int gridX,
      int blockX,
      List<CudaDriver.KernelParam> params,
      int repeats)
      throws CudaException {
    CudaDriver.Dims grid = new CudaDriver.Dims(gridX, 1, 1);
    CudaDriver.Dims block = new CudaDriver.Dims(blockX, 1, 1);
    driver.launch(function, grid, block, 0, params);
    driver.synchronize();
    CudaDriver.Event start = driver.createEvent();
    try {
      CudaDriver.Event end = driver.createEvent();
      try {
        driver.recordEvent(start);
        for (int i = 0; i < repeats; i++) {
          driver.launch(function, grid, block, 0, params);
        }
        driver.recordEvent(end);
        return driver.elapsedMillis(start, end);
      } finally {
        driver.destroyEvent(end);
      }
    } finally {
      driver.destroyEvent(start);
    }
  }

  /** Blocks per grid: enough to fill every SM a few times. */
  static int gridFor(CudaDeviceProperties device, int blocksPerSm) {
    return Math.max(1, device.multiprocessorCount()) * blocksPerSm;
  }
}
