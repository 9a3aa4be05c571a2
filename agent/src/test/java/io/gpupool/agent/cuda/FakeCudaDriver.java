package io.gpupool.agent.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A CUDA driver in memory: device memory is byte arrays, a module is the set of {@code .entry}
 * names in its PTX, and a kernel is Java code registered by name (the diagnostics' copy and FMA
 * kernels are built in). It records every call, tracks live handles, and fails a chosen operation
 * with a chosen error. Thread-safe enough for one task at a time.
 */
public final class FakeCudaDriver implements CudaDriver {

  /** A kernel's effect, given its parameters. */
  @FunctionalInterface
  public interface FakeKernel {
    /** Runs the kernel. */
    void run(List<KernelParam> params, Dims grid, Dims block) throws CudaException;
  }

  /** Device memory of the fake. */
  public static final class Memory implements DeviceMemory {
    /** The bytes. */
    public final byte[] bytes;

    Memory(long size) {
      this.bytes = new byte[Math.toIntExact(size)];
    }

    @Override
    public long sizeBytes() {
      return bytes.length;
    }
  }

  private record FakeContext(int ordinal) implements Context {}

  private record FakeModule(Set<String> entries) implements Module {}

  private record FakeFunction(String name) implements Function {}

  private static final class FakeEvent implements Event {}

  /** Every call by name, in order. */
  public final List<String> calls = new CopyOnWriteArrayList<>();

  /** Handles not yet freed or destroyed. */
  public final Set<Object> live = ConcurrentHashMap.newKeySet();

  /** Every allocation, in order. */
  public final List<Memory> allocations = new CopyOnWriteArrayList<>();

  /** The last launch's parameters. */
  public volatile List<KernelParam> lastParams;

  private final List<CudaDeviceProperties> devices;
  private final Map<String, FakeKernel> kernels = new ConcurrentHashMap<>();
  private final Map<String, String> failures = new HashMap<>();
  private volatile boolean wrongResults;

  /** A driver with these devices. */
  public FakeCudaDriver(List<CudaDeviceProperties> devices) {
    this.devices = List.copyOf(devices);
    kernels.put(DiagnosticKernels.COPY_KERNEL, this::copy);
    kernels.put(DiagnosticKernels.FMA_KERNEL, this::fma);
  }

  /** One H100-like device at bus 0000:3b:00.0. */
  public static FakeCudaDriver oneDevice() {
    return new FakeCudaDriver(
        List.of(new CudaDeviceProperties(0, "Fake H100", "0000:3b:00.0", 9, 0, 132, 80L << 30)));
  }

  /** Makes the named operation (e.g. "loadModule") fail with the error. */
  public synchronized FakeCudaDriver failOn(String operation, String errorName) {
    failures.put(operation, errorName);
    return this;
  }

  /** Registers a kernel under its entry name. */
  public FakeCudaDriver kernel(String name, FakeKernel kernel) {
    kernels.put(name, kernel);
    return this;
  }

  /** Makes the built-in diagnostic kernels compute garbage. */
  public void computeWrongResults() {
    wrongResults = true;
  }

  private synchronized void enter(String operation) throws CudaException {
    calls.add(operation);
    String error = failures.get(operation);
    if (error != null) {
      throw new CudaException(error, operation + " failed: " + error);
    }
  }

  @Override
  public void init() throws CudaException {
    enter("init");
  }

  @Override
  public int deviceCount() throws CudaException {
    enter("deviceCount");
    return devices.size();
  }

  @Override
  public CudaDeviceProperties properties(int ordinal) throws CudaException {
    enter("properties");
    return devices.get(ordinal);
  }

  @Override
  public Context createContext(int ordinal) throws CudaException {
    enter("createContext");
    Context context = new FakeContext(ordinal);
    live.add(context);
    return context;
  }

  @Override
  public void destroyContext(Context context) throws CudaException {
    enter("destroyContext");
    live.remove(context);
  }

  @Override
  public Module loadModule(String ptx) throws CudaException {
    enter("loadModule");
    Set<String> entries = ConcurrentHashMap.newKeySet();
    var matcher = java.util.regex.Pattern.compile("\\.entry\\s+(\\w+)").matcher(ptx);
    while (matcher.find()) {
      entries.add(matcher.group(1));
    }
    if (entries.isEmpty()) {
      throw new CudaException("CUDA_ERROR_INVALID_PTX", "cuModuleLoadData failed");
    }
    Module module = new FakeModule(entries);
    live.add(module);
    return module;
  }

  @Override
  public void unloadModule(Module module) throws CudaException {
    enter("unloadModule");
    live.remove(module);
  }

  @Override
  public Function function(Module module, String name) throws CudaException {
    enter("function");
    if (!((FakeModule) module).entries().contains(name)) {
      throw new CudaException("CUDA_ERROR_NOT_FOUND", "cuModuleGetFunction failed");
    }
    return new FakeFunction(name);
  }

  @Override
  public DeviceMemory allocate(long bytes) throws CudaException {
    enter("allocate");
    Memory memory = new Memory(bytes);
    // cuMemAlloc does not clear memory: make uninitialized bytes visible.
    java.util.Arrays.fill(memory.bytes, (byte) 0x7f);
    allocations.add(memory);
    live.add(memory);
    return memory;
  }

  @Override
  public void free(DeviceMemory memory) throws CudaException {
    enter("free");
    live.remove(memory);
  }

  @Override
  public void copyToDevice(DeviceMemory destination, long offset, byte[] source)
      throws CudaException {
    enter("copyToDevice");
    System.arraycopy(source, 0, ((Memory) destination).bytes, (int) offset, source.length);
  }

  @Override
  public void copyToHost(DeviceMemory source, long offset, byte[] destination)
      throws CudaException {
    enter("copyToHost");
    System.arraycopy(((Memory) source).bytes, (int) offset, destination, 0, destination.length);
  }

  @Override
  public void fill(DeviceMemory memory, int value) throws CudaException {
    enter("fill");
    java.util.Arrays.fill(((Memory) memory).bytes, (byte) value);
  }

  @Override
  public Event createEvent() throws CudaException {
    enter("createEvent");
    Event event = new FakeEvent();
    live.add(event);
    return event;
  }

  @Override
  public void recordEvent(Event event) throws CudaException {
    enter("recordEvent");
  }

  @Override
  public float elapsedMillis(Event start, Event end) throws CudaException {
    enter("elapsedMillis");
    return 2.5f;
  }

  @Override
  public void destroyEvent(Event event) throws CudaException {
    enter("destroyEvent");
    live.remove(event);
  }

  @Override
  public void launch(
      Function function, Dims grid, Dims block, int sharedMemoryBytes, List<KernelParam> params)
      throws CudaException {
    enter("launch");
    lastParams = new ArrayList<>(params);
    kernels.get(((FakeFunction) function).name()).run(params, grid, block);
  }

  @Override
  public void synchronize() throws CudaException {
    enter("synchronize");
  }

  private void copy(List<KernelParam> params, Dims grid, Dims block) {
    byte[] source = ((Memory) ((PointerParam) params.get(0)).memory()).bytes;
    byte[] destination = ((Memory) ((PointerParam) params.get(1)).memory()).bytes;
    long words = ((Int64Param) params.get(2)).value();
    System.arraycopy(source, 0, destination, 0, (int) words * 4);
    if (wrongResults) {
      destination[destination.length / 2] ^= 1;
    }
  }

  private void fma(List<KernelParam> params, Dims grid, Dims block) {
    byte[] out = ((Memory) ((PointerParam) params.get(0)).memory()).bytes;
    int iterations = ((Int32Param) params.get(1)).value();
    float a = ((Float32Param) params.get(2)).value();
    float b = ((Float32Param) params.get(3)).value();
    float value = DiagnosticKernels.expectedFma(iterations, a, b) + (wrongResults ? 1 : 0);
    ByteBuffer buffer = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
    long threads = (long) grid.x() * block.x();
    for (long i = 0; i < threads; i++) {
      buffer.putFloat(value);
    }
  }
}
