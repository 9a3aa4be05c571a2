package io.gpupool.agent.cuda;

import io.gpupool.agent.device.DeviceBackendException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntSupplier;
import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;

/**
 * The {@link CudaDriver} over JCuda's binding of the CUDA driver API ({@code libcuda.so.1}).
 *
 * <p>{@link #load()} loads JCuda's native library, which links against the driver library, once per
 * JVM; a machine without the NVIDIA driver gets a {@link DeviceBackendException} (every time, with
 * the same message), never an {@link UnsatisfiedLinkError}. Thread-safe as the driver API is; see
 * {@link CudaDriver} for the rule that a context's calls come from the thread that created it.
 */
public final class JCudaDriverAdapter implements CudaDriver {

  private static final String DRIVER_LIBRARY = "libcuda.so.1";

  /** The default stream: a stream handle whose native pointer is null. */
  private static final CUstream DEFAULT_STREAM = new CUstream();

  private static JCudaDriverAdapter loaded; // guarded by JCudaDriverAdapter.class
  private static String loadFailure; // guarded by JCudaDriverAdapter.class

  private JCudaDriverAdapter() {}

  /**
   * Loads JCuda and the CUDA driver and initializes the driver, once per JVM.
   *
   * @return the driver
   * @throws DeviceBackendException when the driver library is missing ("CUDA driver library
   *     libcuda.so.1 not found: ..."), JCuda's native library cannot load, or cuInit fails; later
   *     calls fail the same way without trying again
   */
  public static synchronized CudaDriver load() throws DeviceBackendException {
    if (loaded != null) {
      return loaded;
    }
    if (loadFailure != null) {
      throw new DeviceBackendException(loadFailure);
    }
    try {
      // The first use of JCudaDriver loads its native library, which needs the driver's.
      JCudaDriver.setExceptionsEnabled(true);
    } catch (LinkageError | RuntimeException e) {
      loadFailure = describeLoadFailure(e);
      throw new DeviceBackendException(loadFailure);
    }
    JCudaDriverAdapter driver = new JCudaDriverAdapter();
    try {
      driver.init();
    } catch (CudaException e) {
      loadFailure = "the CUDA driver did not initialize: " + e.errorName();
      throw new DeviceBackendException(loadFailure);
    }
    loaded = driver;
    return driver;
  }

  /** One line for the user out of JCuda's multi-line report of what it tried. */
  static String describeLoadFailure(Throwable e) {
    String text = String.valueOf(e.getMessage());
    for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
      text += "\n" + cause.getMessage();
    }
    String detail =
        text.lines()
            .filter(line -> line.contains(DRIVER_LIBRARY))
            .map(String::strip)
            .findFirst()
            .orElse(null);
    if (detail != null) {
      return "CUDA driver library "
          + DRIVER_LIBRARY
          + " not found: "
          + detail
          + " (install the NVIDIA driver to run CUDA work on this node)";
    }
    return "cannot load JCuda's native library for the CUDA driver API: "
        + text.lines().findFirst().orElse(e.toString());
  }

  @Override
  public void init() throws CudaException {
    call("cuInit", () -> JCudaDriver.cuInit(0));
  }

  @Override
  public int deviceCount() throws CudaException {
    int[] count = new int[1];
    call("cuDeviceGetCount", () -> JCudaDriver.cuDeviceGetCount(count));
    return count[0];
  }

  @Override
  public CudaDeviceProperties properties(int ordinal) throws CudaException {
    CUdevice device = device(ordinal);
    byte[] name = new byte[256];
    call("cuDeviceGetName", () -> JCudaDriver.cuDeviceGetName(name, name.length, device));
    String[] busId = new String[1];
    call("cuDeviceGetPCIBusId", () -> JCudaDriver.cuDeviceGetPCIBusId(busId, 64, device));
    long[] memory = new long[1];
    call("cuDeviceTotalMem", () -> JCudaDriver.cuDeviceTotalMem(memory, device));
    return new CudaDeviceProperties(
        ordinal,
        cString(name),
        busId[0] == null ? "" : busId[0].strip(),
        attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR),
        attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR),
        attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT),
        memory[0]);
  }

  @Override
  public Context createContext(int ordinal) throws CudaException {
    CUdevice device = device(ordinal);
    CUcontext context = new CUcontext();
    call("cuCtxCreate", () -> JCudaDriver.cuCtxCreate(context, 0, device));
    return new JContext(context);
  }

  @Override
  public void destroyContext(Context context) throws CudaException {
    call("cuCtxDestroy", () -> JCudaDriver.cuCtxDestroy(((JContext) context).handle()));
  }

  @Override
  public Module loadModule(String ptx) throws CudaException {
    byte[] text = ptx.getBytes(StandardCharsets.UTF_8);
    byte[] terminated = Arrays.copyOf(text, text.length + 1); // the driver reads a C string
    CUmodule module = new CUmodule();
    call("cuModuleLoadData", () -> JCudaDriver.cuModuleLoadData(module, terminated));
    return new JModule(module);
  }

  @Override
  public void unloadModule(Module module) throws CudaException {
    call("cuModuleUnload", () -> JCudaDriver.cuModuleUnload(((JModule) module).handle()));
  }

  @Override
  public Function function(Module module, String name) throws CudaException {
    CUfunction function = new CUfunction();
    call(
        "cuModuleGetFunction",
        () -> JCudaDriver.cuModuleGetFunction(function, ((JModule) module).handle(), name));
    return new JFunction(function);
  }

  @Override
  public DeviceMemory allocate(long bytes) throws CudaException {
    CUdeviceptr pointer = new CUdeviceptr();
    call("cuMemAlloc", () -> JCudaDriver.cuMemAlloc(pointer, bytes));
    return new JMemory(pointer, bytes);
  }

  @Override
  public void free(DeviceMemory memory) throws CudaException {
    call("cuMemFree", () -> JCudaDriver.cuMemFree(((JMemory) memory).pointer()));
  }

  @Override
  public void copyToDevice(DeviceMemory destination, long offset, byte[] source)
      throws CudaException {
    CUdeviceptr target = ((JMemory) destination).pointer().withByteOffset(offset);
    call("cuMemcpyHtoD", () -> JCudaDriver.cuMemcpyHtoD(target, Pointer.to(source), source.length));
  }

  @Override
  public void copyToHost(DeviceMemory source, long offset, byte[] destination)
      throws CudaException {
    CUdeviceptr from = ((JMemory) source).pointer().withByteOffset(offset);
    call(
        "cuMemcpyDtoH",
        () -> JCudaDriver.cuMemcpyDtoH(Pointer.to(destination), from, destination.length));
  }

  @Override
  public void fill(DeviceMemory memory, int value) throws CudaException {
    JMemory target = (JMemory) memory;
    call(
        "cuMemsetD8",
        () -> JCudaDriver.cuMemsetD8(target.pointer(), (byte) value, target.sizeBytes()));
  }

  @Override
  public Event createEvent() throws CudaException {
    CUevent event = new CUevent();
    call("cuEventCreate", () -> JCudaDriver.cuEventCreate(event, CUevent_flags.CU_EVENT_DEFAULT));
    return new JEvent(event);
  }

  @Override
  public void recordEvent(Event event) throws CudaException {
    call(
        "cuEventRecord",
        () -> JCudaDriver.cuEventRecord(((JEvent) event).handle(), DEFAULT_STREAM));
  }

  @Override
  public float elapsedMillis(Event start, Event end) throws CudaException {
    call("cuEventSynchronize", () -> JCudaDriver.cuEventSynchronize(((JEvent) end).handle()));
    float[] millis = new float[1];
    call(
        "cuEventElapsedTime",
        () ->
            JCudaDriver.cuEventElapsedTime(
                millis, ((JEvent) start).handle(), ((JEvent) end).handle()));
    return millis[0];
  }

  @Override
  public void destroyEvent(Event event) throws CudaException {
    call("cuEventDestroy", () -> JCudaDriver.cuEventDestroy(((JEvent) event).handle()));
  }

  @Override
  public void launch(
      Function function, Dims grid, Dims block, int sharedMemoryBytes, List<KernelParam> params)
      throws CudaException {
    NativePointerObject[] values =
        params.stream().map(JCudaDriverAdapter::pointerTo).toArray(NativePointerObject[]::new);
    Pointer parameters = Pointer.to(values);
    call(
        "cuLaunchKernel",
        () ->
            JCudaDriver.cuLaunchKernel(
                ((JFunction) function).handle(),
                grid.x(),
                grid.y(),
                grid.z(),
                block.x(),
                block.y(),
                block.z(),
                sharedMemoryBytes,
                DEFAULT_STREAM,
                parameters,
                null));
  }

  @Override
  public void synchronize() throws CudaException {
    call("cuCtxSynchronize", JCudaDriver::cuCtxSynchronize);
  }

  /** A pointer to the parameter's value, as cuLaunchKernel's kernelParams array wants it. */
  private static Pointer pointerTo(KernelParam param) {
    if (param instanceof Int32Param p) {
      return Pointer.to(new int[] {p.value()});
    } else if (param instanceof Int64Param p) {
      return Pointer.to(new long[] {p.value()});
    } else if (param instanceof Float32Param p) {
      return Pointer.to(new float[] {p.value()});
    } else if (param instanceof Float64Param p) {
      return Pointer.to(new double[] {p.value()});
    }
    return Pointer.to(((JMemory) ((PointerParam) param).memory()).pointer());
  }

  private static CUdevice device(int ordinal) throws CudaException {
    CUdevice device = new CUdevice();
    call("cuDeviceGet", () -> JCudaDriver.cuDeviceGet(device, ordinal));
    return device;
  }

  private static int attribute(CUdevice device, int attribute) throws CudaException {
    int[] value = new int[1];
    call("cuDeviceGetAttribute", () -> JCudaDriver.cuDeviceGetAttribute(value, attribute, device));
    return value[0];
  }

  private static String cString(byte[] bytes) {
    int end = 0;
    while (end < bytes.length && bytes[end] != 0) {
      end++;
    }
    return new String(bytes, 0, end, StandardCharsets.UTF_8);
  }

  /**
   * Runs one driver call. With exceptions enabled JCuda throws its own exception carrying the
   * CUresult's name; the return code is checked too in case anything turned exceptions off.
   */
  private static void call(String function, IntSupplier call) throws CudaException {
    int result;
    try {
      result = call.getAsInt();
    } catch (jcuda.CudaException e) {
      String name = String.valueOf(e.getMessage()).strip();
      throw new CudaException(name, function + " failed: " + name);
    }
    if (result != CUresult.CUDA_SUCCESS) {
      String name = CUresult.stringFor(result);
      throw new CudaException(name, function + " failed: " + name);
    }
  }

  private record JContext(CUcontext handle) implements Context {}

  private record JModule(CUmodule handle) implements Module {}

  private record JFunction(CUfunction handle) implements Function {}

  private record JEvent(CUevent handle) implements Event {}

  private record JMemory(CUdeviceptr pointer, long sizeBytes) implements DeviceMemory {}
}
