package io.gpupool.agent.cuda;

import com.google.protobuf.ByteString;
import io.gpupool.proto.v1.CudaKernelWorkload;
import io.gpupool.proto.v1.DeviceBuffer;
import io.gpupool.proto.v1.KernelArgument;
import io.gpupool.proto.v1.KernelOutput;
import io.gpupool.proto.v1.KernelResult;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one {@code cuda_kernel} workload on one device: a fresh context, the PTX module, the device
 * buffers (filled, copied in or zeroed), the launch timed with CUDA events, the output buffers
 * copied back up to {@link KernelLimits#MAX_OUTPUT_BYTES} together, and everything freed and the
 * context destroyed, whether the run succeeded or not.
 *
 * <p>Not thread-safe across calls on one thread's context: call {@link #run} on a thread of its
 * own, which it blocks until the kernel finished (a running kernel cannot be interrupted).
 */
public final class KernelLauncher {

  private static final Logger log = LoggerFactory.getLogger(KernelLauncher.class);

  private final CudaDriver driver;

  /** Creates a launcher over an initialized driver. */
  public KernelLauncher(CudaDriver driver) {
    this.driver = driver;
  }

  /**
   * Runs the kernel.
   *
   * @param kernel the workload; checked against {@link KernelLimits} first
   * @param ordinal the CUDA ordinal of the device (see {@link CudaDevices#find})
   * @return the elapsed time and the outputs; device_uuid is left for the caller to set
   * @throws CudaException CUDA_ERROR_INVALID_VALUE when the workload breaks the limits (nothing
   *     touched the driver then); otherwise the driver's error, with a message naming the step,
   *     e.g. "loading the PTX module failed: CUDA_ERROR_INVALID_PTX"
   */
  public KernelResult run(CudaKernelWorkload kernel, int ordinal) throws CudaException {
    List<String> problems = KernelLimits.check(kernel);
    if (!problems.isEmpty()) {
      throw new CudaException(
          "CUDA_ERROR_INVALID_VALUE",
          "the kernel breaks the agent's limits: " + String.join("; ", problems));
    }
    Deque<Cleanup> cleanups = new ArrayDeque<>();
    try {
      CudaDriver.Context context =
          step("creating a CUDA context on device " + ordinal, () -> driver.createContext(ordinal));
      cleanups.push(() -> driver.destroyContext(context));
      return launch(kernel, cleanups);
    } finally {
      cleanUp(cleanups);
    }
  }

  private KernelResult launch(CudaKernelWorkload kernel, Deque<Cleanup> cleanups)
      throws CudaException {
    CudaDriver.Module module =
        step("loading the PTX module", () -> driver.loadModule(kernel.getPtx()));
    cleanups.push(() -> driver.unloadModule(module));
    CudaDriver.Function function =
        step(
            "finding kernel '" + kernel.getKernel() + "' in the PTX module",
            () -> driver.function(module, kernel.getKernel()));
    List<CudaDriver.KernelParam> params = new ArrayList<>();
    List<CudaDriver.DeviceMemory> buffers = new ArrayList<>();
    for (int i = 0; i < kernel.getArgumentsCount(); i++) {
      KernelArgument argument = kernel.getArguments(i);
      CudaDriver.DeviceMemory memory = null;
      if (argument.hasBuffer()) {
        memory = buffer(i, argument.getBuffer(), cleanups);
      }
      buffers.add(memory);
      params.add(param(argument, memory));
    }
    CudaDriver.Event start = step("creating a CUDA event", driver::createEvent);
    cleanups.push(() -> driver.destroyEvent(start));
    CudaDriver.Event end = step("creating a CUDA event", driver::createEvent);
    cleanups.push(() -> driver.destroyEvent(end));
    String name = "kernel '" + kernel.getKernel() + "'";
    step(
        "recording the start event",
        () -> {
          driver.recordEvent(start);
          return null;
        });
    step(
        "launching " + name,
        () -> {
          driver.launch(
              function,
              KernelLimits.dims(kernel.getGrid()),
              KernelLimits.dims(kernel.getBlock()),
              kernel.getSharedMemoryBytes(),
              params);
          return null;
        });
    step(
        "recording the end event",
        () -> {
          driver.recordEvent(end);
          return null;
        });
    float elapsed = step("running " + name, () -> driver.elapsedMillis(start, end));
    KernelResult.Builder result = KernelResult.newBuilder().setElapsedMs(elapsed);
    long budget = KernelLimits.MAX_OUTPUT_BYTES;
    for (int i = 0; i < kernel.getArgumentsCount(); i++) {
      KernelArgument argument = kernel.getArguments(i);
      if (!argument.hasBuffer() || !argument.getBuffer().getOutput()) {
        continue;
      }
      CudaDriver.DeviceMemory memory = buffers.get(i);
      int length = (int) Math.min(memory.sizeBytes(), budget);
      byte[] data = new byte[length];
      if (length > 0) {
        int index = i;
        step(
            "copying output buffer " + index + " to the host",
            () -> {
              driver.copyToHost(memory, 0, data);
              return null;
            });
      }
      budget -= length;
      result.addOutputs(
          KernelOutput.newBuilder()
              .setArgumentIndex(i)
              .setData(ByteString.copyFrom(data))
              .setTruncated(length < memory.sizeBytes()));
    }
    return result.build();
  }

  private CudaDriver.DeviceMemory buffer(int index, DeviceBuffer buffer, Deque<Cleanup> cleanups)
      throws CudaException {
    String what = "device buffer of argument " + index + " (" + buffer.getSizeBytes() + " bytes)";
    CudaDriver.DeviceMemory memory =
        step("allocating the " + what, () -> driver.allocate(buffer.getSizeBytes()));
    cleanups.push(() -> driver.free(memory));
    int fill = buffer.hasFillByte() ? buffer.getFillByte() : 0;
    step(
        "initializing the " + what,
        () -> {
          driver.fill(memory, fill);
          if (buffer.hasData() && !buffer.getData().isEmpty()) {
            driver.copyToDevice(memory, 0, buffer.getData().toByteArray());
          }
          return null;
        });
    return memory;
  }

  private static CudaDriver.KernelParam param(
      KernelArgument argument, CudaDriver.DeviceMemory memory) {
    return switch (argument.getValueCase()) {
      case INT32_VALUE -> new CudaDriver.Int32Param(argument.getInt32Value());
      case INT64_VALUE -> new CudaDriver.Int64Param(argument.getInt64Value());
      case FLOAT_VALUE -> new CudaDriver.Float32Param(argument.getFloatValue());
      case DOUBLE_VALUE -> new CudaDriver.Float64Param(argument.getDoubleValue());
      case BUFFER -> new CudaDriver.PointerParam(memory);
      case VALUE_NOT_SET -> throw new IllegalStateException("checked by KernelLimits");
    };
  }

  /** Undoes everything in reverse order; a failure is logged and the rest still undone. */
  private static void cleanUp(Deque<Cleanup> cleanups) {
    while (!cleanups.isEmpty()) {
      try {
        cleanups.pop().run();
      } catch (CudaException | RuntimeException e) {
        log.warn("cleaning up after a kernel failed: {}", e.getMessage());
      }
    }
  }

  private static <T> T step(String description, DriverCall<T> call) throws CudaException {
    try {
      return call.call();
    } catch (CudaException e) {
      throw e.during(description);
    }
  }

  /** One driver call of a step. */
  @FunctionalInterface
  interface DriverCall<T> {
    T call() throws CudaException;
  }

  /** One thing to undo. */
  @FunctionalInterface
  private interface Cleanup {
    void run() throws CudaException;
  }
}
