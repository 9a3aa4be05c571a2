package io.gpupool.agent.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/**
 * Copies a patterned buffer on the device with the grid-stride copy kernel, checks that the copy
 * equals the source, and measures the bandwidth as 2 * bytes / time (every byte read once and
 * written once). The buffer is {@code maxBytes} or an eighth of the device memory, whichever is
 * smaller, in whole {@link #CHUNK_BYTES} chunks, which are uploaded and checked one at a time.
 */
final class MemoryBandwidthCheck {

  /** The unit in which the pattern is uploaded and the copy checked. */
  static final int CHUNK_BYTES = 1 << 20;

  private static final int BLOCK = 256;
  private static final int BLOCKS_PER_SM = 8;
  private static final int PATTERN_MULTIPLIER = 0x9E3779B1;

  private final long maxBytes;
  private final int repeats;

  MemoryBandwidthCheck(long maxBytes, int repeats) {
    this.maxBytes = maxBytes;
    this.repeats = repeats;
  }

  /**
   * Runs the check in the current context.
   *
   * @return the bandwidth in GB/s
   */
  double run(CudaDriver driver, CudaDeviceProperties device)
      throws CudaException, WrongResultException {
    long chunks = Math.max(1, Math.min(maxBytes, device.totalMemoryBytes() / 8) / CHUNK_BYTES);
    long bytes = chunks * CHUNK_BYTES;
    CudaDriver.Module module =
        driver.loadModule(DiagnosticKernels.ptx(DiagnosticKernels.MEMORY_BANDWIDTH_PTX));
    try {
      CudaDriver.Function copy = driver.function(module, DiagnosticKernels.COPY_KERNEL);
      CudaDriver.DeviceMemory source = driver.allocate(bytes);
      try {
        CudaDriver.DeviceMemory destination = driver.allocate(bytes);
        try {
          for (long chunk = 0; chunk < chunks; chunk++) {
            driver.copyToDevice(source, chunk * CHUNK_BYTES, pattern(chunk));
          }
          driver.fill(destination, 0);
          List<CudaDriver.KernelParam> params =
              List.of(
                  new CudaDriver.PointerParam(source),
                  new CudaDriver.PointerParam(destination),
                  new CudaDriver.Int64Param(bytes / Integer.BYTES));
          double millis =
              DiagnosticLaunch.timed(
                  driver,
                  copy,
                  DiagnosticLaunch.gridFor(device, BLOCKS_PER_SM),
                  BLOCK,
                  params,
                  repeats);
          verify(driver, destination, chunks);
          return 2.0 * bytes * repeats / (millis / 1e3) / 1e9;
        } finally {
          driver.free(destination);
        }
      } finally {
        driver.free(source);
      }
    } finally {
      driver.unloadModule(module);
    }
  }

  private static void verify(CudaDriver driver, CudaDriver.DeviceMemory copy, long chunks)
      throws CudaException, WrongResultException {
    byte[] actual = new byte[CHUNK_BYTES];
    for (long chunk = 0; chunk < chunks; chunk++) {
      driver.copyToHost(copy, chunk * CHUNK_BYTES, actual);
      byte[] expected = pattern(chunk);
      int at = Arrays.mismatch(actual, expected);
      if (at >= 0) {
        throw new WrongResultException(
            "memory bandwidth: the copy differs from the source at byte "
                + (chunk * CHUNK_BYTES + at));
      }
    }
  }

  /** The source's content in one chunk: every 32-bit word a hash of its position. */
  static byte[] pattern(long chunk) {
    ByteBuffer buffer = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    long firstWord = chunk * (CHUNK_BYTES / Integer.BYTES);
    for (int i = 0; i < CHUNK_BYTES / Integer.BYTES; i++) {
      buffer.putInt((int) (firstWord + i) * PATTERN_MULTIPLIER);
    }
    return buffer.array();
  }
}
