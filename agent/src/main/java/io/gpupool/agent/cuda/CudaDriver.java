package io.gpupool.agent.cuda;

import java.util.List;

/**
 * The port to the CUDA driver API: the few calls the agent makes to run a kernel and look at its
 * devices. {@link JCudaDriverAdapter} implements it over JCuda; tests use fakes.
 *
 * <p>Contexts follow the driver's rules: {@link #createContext} makes the new context current on
 * the calling thread, and every call between it and {@link #destroyContext} (module, memory,
 * events, launch) must come from that same thread. Different threads may work with different
 * contexts at the same time. Every call throws {@link CudaException} naming the driver's error when
 * the driver fails; handles from one driver must not be passed to another.
 */
public interface CudaDriver {

  /** A context on one device. */
  interface Context {}

  /** A loaded PTX module. */
  interface Module {}

  /** A kernel of a module. */
  interface Function {}

  /** Device memory. */
  interface DeviceMemory {
    /** Its size in bytes. */
    long sizeBytes();
  }

  /** A CUDA event, for timing. */
  interface Event {}

  /** Grid or block dimensions, each at least 1. */
  record Dims(int x, int y, int z) {}

  /** One kernel parameter, passed by value. */
  sealed interface KernelParam {}

  /** A 32-bit integer parameter. */
  record Int32Param(int value) implements KernelParam {}

  /** A 64-bit integer parameter. */
  record Int64Param(long value) implements KernelParam {}

  /** A 32-bit float parameter. */
  record Float32Param(float value) implements KernelParam {}

  /** A 64-bit float parameter. */
  record Float64Param(double value) implements KernelParam {}

  /** A device pointer parameter. */
  record PointerParam(DeviceMemory memory) implements KernelParam {}

  /** Initializes the driver; idempotent. */
  void init() throws CudaException;

  /** The number of devices CUDA sees. */
  int deviceCount() throws CudaException;

  /** The properties of the device with this CUDA ordinal. */
  CudaDeviceProperties properties(int ordinal) throws CudaException;

  /** Creates a context on the device and makes it current on the calling thread. */
  Context createContext(int ordinal) throws CudaException;

  /** Destroys a context and everything still allocated in it. */
  void destroyContext(Context context) throws CudaException;

  /** Loads a PTX module (JIT-compiled by the driver) into the current context. */
  Module loadModule(String ptx) throws CudaException;

  /** Unloads a module. */
  void unloadModule(Module module) throws CudaException;

  /** Finds a kernel ({@code .entry}) of a module; CUDA_ERROR_NOT_FOUND when there is none. */
  Function function(Module module, String name) throws CudaException;

  /** Allocates device memory (not initialized). */
  DeviceMemory allocate(long bytes) throws CudaException;

  /** Frees device memory. */
  void free(DeviceMemory memory) throws CudaException;

  /** Copies all of {@code source} to the device memory, starting {@code offset} bytes in. */
  void copyToDevice(DeviceMemory destination, long offset, byte[] source) throws CudaException;

  /** Fills {@code destination} from the device memory, starting {@code offset} bytes in. */
  void copyToHost(DeviceMemory source, long offset, byte[] destination) throws CudaException;

  /** Sets every byte of the device memory to {@code value} (0 to 255). */
  void fill(DeviceMemory memory, int value) throws CudaException;

  /** Creates an event that can time work. */
  Event createEvent() throws CudaException;

  /** Records an event in the default stream. */
  void recordEvent(Event event) throws CudaException;

  /**
   * Waits until {@code end} completed and returns the time between the two recorded events, in
   * milliseconds. Errors of the work recorded before {@code end} (e.g. an illegal address in a
   * kernel) surface here.
   */
  float elapsedMillis(Event start, Event end) throws CudaException;

  /** Destroys an event. */
  void destroyEvent(Event event) throws CudaException;

  /** Launches a kernel in the default stream, without waiting for it. */
  void launch(
      Function function, Dims grid, Dims block, int sharedMemoryBytes, List<KernelParam> params)
      throws CudaException;

  /** Waits until all work of the current context completed. */
  void synchronize() throws CudaException;
}
