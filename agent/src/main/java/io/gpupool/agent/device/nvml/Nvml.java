package io.gpupool.agent.device.nvml;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntSupplier;

/**
 * An initialized NVML library: {@code nvmlInit_v2} once at {@link #load}, {@code nvmlShutdown} at
 * {@link #close}. Each method calls one NVML function and throws {@link NvmlException} with NVML's
 * error string when it fails; a function missing from the loaded library fails the same way, with
 * {@link NvmlException#FUNCTION_NOT_FOUND}, so callers treat old drivers like unsupported features.
 *
 * <p>Thread-safe, as NVML is: one thread may wait for events while others sample.
 */
public final class Nvml implements AutoCloseable {

  /** Event type bit of a double-bit (uncorrectable) ECC error. */
  public static final long EVENT_DOUBLE_BIT_ECC_ERROR = 0x2L;

  /** Event type bit of an XID error; the event's data is the XID. */
  public static final long EVENT_XID_CRITICAL_ERROR = 0x8L;

  /** NVML_NVLINK_MAX_LINKS: the most NVLink links a device has. */
  public static final int MAX_NVLINKS = 18;

  private static final int STRING_BUFFER = 96; // NVML_DEVICE_NAME_V2/UUID_V2_BUFFER_SIZE
  private static final int DRIVER_VERSION_BUFFER = 80; // NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE
  private static final int TEMPERATURE_GPU = 0; // NVML_TEMPERATURE_GPU
  private static final int ECC_CORRECTED = 0; // NVML_MEMORY_ERROR_TYPE_CORRECTED
  private static final int ECC_UNCORRECTED = 1; // NVML_MEMORY_ERROR_TYPE_UNCORRECTED
  private static final int ECC_VOLATILE = 0; // NVML_VOLATILE_ECC
  private static final long VALUE_NOT_AVAILABLE = -1L; // NVML_VALUE_NOT_AVAILABLE, as unsigned

  // nvmlMemory_t: unsigned long long total, free, used.
  private static final int MEMORY_SIZE = 24;
  private static final int MEMORY_TOTAL = 0;
  private static final int MEMORY_USED = 16;
  // nvmlUtilization_t: unsigned int gpu, memory.
  private static final int UTILIZATION_SIZE = 8;
  // nvmlPciInfo_t (v3): char busIdLegacy[16]; unsigned int domain, bus, device, pciDeviceId,
  // pciSubSystemId; char busId[32].
  private static final int PCI_SIZE = 68;
  private static final int PCI_DOMAIN = 16;
  private static final int PCI_BUS = 20;
  private static final int PCI_DEVICE = 24;
  private static final int PCI_BUS_ID = 36;
  // nvmlProcessInfo_t (v2/v3): unsigned int pid; (4 bytes padding) unsigned long long
  // usedGpuMemory; unsigned int gpuInstanceId, computeInstanceId.
  private static final int PROCESS_SIZE = 24;
  private static final int PROCESS_MEMORY = 8;
  // nvmlEventData_t: nvmlDevice_t device; unsigned long long eventType, eventData; unsigned int
  // gpuInstanceId, computeInstanceId.
  private static final int EVENT_SIZE = 32;
  private static final int EVENT_TYPE = 8;
  private static final int EVENT_DATA = 16;

  private final NvmlLibrary lib;
  private final List<NvmlDevice> devices;
  private final AtomicBoolean closed = new AtomicBoolean();

  private Nvml(NvmlLibrary lib, List<NvmlDevice> devices) {
    this.lib = lib;
    this.devices = List.copyOf(devices);
  }

  /**
   * Loads the library from a file, initializes NVML and looks up the device handles.
   *
   * @throws NvmlException when nvmlInit_v2 or the device enumeration fails (NVML is shut down
   *     again), or when the file is not a loadable NVML library (code {@link
   *     NvmlException#FUNCTION_NOT_FOUND}, message from the dynamic linker)
   */
  public static Nvml load(Path library) throws NvmlException {
    NvmlLibrary lib;
    try {
      lib = Native.load(library.toAbsolutePath().toString(), NvmlLibrary.class);
    } catch (UnsatisfiedLinkError e) {
      throw new NvmlException("dlopen", NvmlException.FUNCTION_NOT_FOUND, e.getMessage());
    }
    check(lib, "nvmlInit_v2", () -> lib.nvmlInit_v2());
    try {
      IntByReference count = new IntByReference();
      check(lib, "nvmlDeviceGetCount_v2", () -> lib.nvmlDeviceGetCount_v2(count));
      List<NvmlDevice> devices = new ArrayList<>();
      for (int i = 0; i < count.getValue(); i++) {
        int index = i;
        PointerByReference handle = new PointerByReference();
        check(
            lib,
            "nvmlDeviceGetHandleByIndex_v2",
            () -> lib.nvmlDeviceGetHandleByIndex_v2(index, handle));
        devices.add(new NvmlDevice(i, handle.getValue()));
      }
      return new Nvml(lib, devices);
    } catch (NvmlException e) {
      lib.nvmlShutdown();
      throw e;
    }
  }

  /** The devices NVML found at load, by index. */
  public List<NvmlDevice> devices() {
    return devices;
  }

  /** The device of an index, as found at load. */
  public NvmlDevice device(int index) {
    return devices.get(index);
  }

  /** The driver version, e.g. "550.54.15". */
  public String driverVersion() throws NvmlException {
    byte[] buffer = new byte[DRIVER_VERSION_BUFFER];
    call("nvmlSystemGetDriverVersion", () -> lib.nvmlSystemGetDriverVersion(buffer, buffer.length));
    return Native.toString(buffer, StandardCharsets.US_ASCII.name());
  }

  /** The highest CUDA version the driver supports, as NVML encodes it (12040 for 12.4). */
  public int cudaDriverVersion() throws NvmlException {
    IntByReference version = new IntByReference();
    call("nvmlSystemGetCudaDriverVersion_v2", () -> lib.nvmlSystemGetCudaDriverVersion_v2(version));
    return version.getValue();
  }

  /** The device's UUID, e.g. "GPU-5f3c...". */
  public String uuid(NvmlDevice device) throws NvmlException {
    byte[] buffer = new byte[STRING_BUFFER];
    call("nvmlDeviceGetUUID", () -> lib.nvmlDeviceGetUUID(device.handle(), buffer, buffer.length));
    return Native.toString(buffer, StandardCharsets.US_ASCII.name());
  }

  /** The device's marketing name. */
  public String name(NvmlDevice device) throws NvmlException {
    byte[] buffer = new byte[STRING_BUFFER];
    call("nvmlDeviceGetName", () -> lib.nvmlDeviceGetName(device.handle(), buffer, buffer.length));
    return Native.toString(buffer, StandardCharsets.UTF_8.name());
  }

  /** Total device memory in bytes. */
  public long memoryTotal(NvmlDevice device) throws NvmlException {
    return memory(device).getLong(MEMORY_TOTAL);
  }

  /** Device memory in use in bytes. */
  public long memoryUsed(NvmlDevice device) throws NvmlException {
    return memory(device).getLong(MEMORY_USED);
  }

  private Memory memory(NvmlDevice device) throws NvmlException {
    Memory memory = new Memory(MEMORY_SIZE);
    call("nvmlDeviceGetMemoryInfo", () -> lib.nvmlDeviceGetMemoryInfo(device.handle(), memory));
    return memory;
  }

  /**
   * GPU and memory-controller utilization over the last sample period, in percent.
   *
   * @return {gpu, memory}
   */
  public int[] utilization(NvmlDevice device) throws NvmlException {
    Memory memory = new Memory(UTILIZATION_SIZE);
    call(
        "nvmlDeviceGetUtilizationRates",
        () -> lib.nvmlDeviceGetUtilizationRates(device.handle(), memory));
    return new int[] {memory.getInt(0), memory.getInt(4)};
  }

  /** Power draw in milliwatts. */
  public long powerUsageMilliwatts(NvmlDevice device) throws NvmlException {
    IntByReference value = new IntByReference();
    call("nvmlDeviceGetPowerUsage", () -> lib.nvmlDeviceGetPowerUsage(device.handle(), value));
    return Integer.toUnsignedLong(value.getValue());
  }

  /** The power limit in force, in milliwatts. */
  public long enforcedPowerLimitMilliwatts(NvmlDevice device) throws NvmlException {
    IntByReference value = new IntByReference();
    call(
        "nvmlDeviceGetEnforcedPowerLimit",
        () -> lib.nvmlDeviceGetEnforcedPowerLimit(device.handle(), value));
    return Integer.toUnsignedLong(value.getValue());
  }

  /** The GPU die temperature in degrees Celsius. */
  public int temperature(NvmlDevice device) throws NvmlException {
    IntByReference value = new IntByReference();
    call(
        "nvmlDeviceGetTemperature",
        () -> lib.nvmlDeviceGetTemperature(device.handle(), TEMPERATURE_GPU, value));
    return value.getValue();
  }

  /** Where the device sits on the PCI bus. */
  public NvmlPciInfo pciInfo(NvmlDevice device) throws NvmlException {
    Memory memory = new Memory(PCI_SIZE);
    memory.clear();
    call("nvmlDeviceGetPciInfo_v3", () -> lib.nvmlDeviceGetPciInfo_v3(device.handle(), memory));
    return pci(memory);
  }

  /**
   * The CUDA compute capability.
   *
   * @return {major, minor}
   */
  public int[] cudaComputeCapability(NvmlDevice device) throws NvmlException {
    IntByReference major = new IntByReference();
    IntByReference minor = new IntByReference();
    call(
        "nvmlDeviceGetCudaComputeCapability",
        () -> lib.nvmlDeviceGetCudaComputeCapability(device.handle(), major, minor));
    return new int[] {major.getValue(), minor.getValue()};
  }

  /**
   * The volatile (since the driver loaded) ECC error count.
   *
   * @param uncorrected true for uncorrected errors, false for corrected ones
   */
  public long volatileEccErrors(NvmlDevice device, boolean uncorrected) throws NvmlException {
    LongByReference count = new LongByReference();
    int type = uncorrected ? ECC_UNCORRECTED : ECC_CORRECTED;
    call(
        "nvmlDeviceGetTotalEccErrors",
        () -> lib.nvmlDeviceGetTotalEccErrors(device.handle(), type, ECC_VOLATILE, count));
    return count.getValue();
  }

  /**
   * The compute processes on the device. Asks for the count first and retries with a larger buffer
   * while processes start in between (NVML answers INSUFFICIENT_SIZE then).
   */
  public List<NvmlProcess> computeRunningProcesses(NvmlDevice device) throws NvmlException {
    String function = "nvmlDeviceGetComputeRunningProcesses_v3";
    int capacity = 0;
    for (int attempt = 0; ; attempt++) {
      IntByReference count = new IntByReference(capacity);
      Memory infos = capacity == 0 ? null : new Memory((long) capacity * PROCESS_SIZE);
      int code =
          invoke(() -> lib.nvmlDeviceGetComputeRunningProcesses_v3(device.handle(), count, infos));
      if (code == NvmlException.INSUFFICIENT_SIZE && attempt < 5) {
        capacity = count.getValue() + 8; // room for processes that start before the next call
        continue;
      }
      throwIfFailed(function, code);
      List<NvmlProcess> processes = new ArrayList<>(count.getValue());
      for (int i = 0; i < count.getValue(); i++) {
        long offset = (long) i * PROCESS_SIZE;
        long used = infos.getLong(offset + PROCESS_MEMORY);
        processes.add(
            new NvmlProcess(infos.getInt(offset), used == VALUE_NOT_AVAILABLE ? -1 : used));
      }
      return processes;
    }
  }

  /** True when the NVLink link is up. */
  public boolean nvLinkActive(NvmlDevice device, int link) throws NvmlException {
    IntByReference active = new IntByReference();
    call(
        "nvmlDeviceGetNvLinkState",
        () -> lib.nvmlDeviceGetNvLinkState(device.handle(), link, active));
    return active.getValue() != 0;
  }

  /** What sits at the other end of an NVLink link: another GPU or an NVSwitch. */
  public NvmlPciInfo nvLinkRemotePciInfo(NvmlDevice device, int link) throws NvmlException {
    Memory memory = new Memory(PCI_SIZE);
    memory.clear();
    call(
        "nvmlDeviceGetNvLinkRemotePciInfo_v2",
        () -> lib.nvmlDeviceGetNvLinkRemotePciInfo_v2(device.handle(), link, memory));
    return pci(memory);
  }

  /** Creates an event set; free it with {@link #freeEventSet}. */
  public NvmlEventSet createEventSet() throws NvmlException {
    PointerByReference set = new PointerByReference();
    call("nvmlEventSetCreate", () -> lib.nvmlEventSetCreate(set));
    return new NvmlEventSet(set.getValue());
  }

  /** Registers a device's events of the given type bits with an event set. */
  public void registerEvents(NvmlDevice device, long types, NvmlEventSet set) throws NvmlException {
    call(
        "nvmlDeviceRegisterEvents",
        () -> lib.nvmlDeviceRegisterEvents(device.handle(), types, set.handle()));
  }

  /**
   * Waits for the next event of a set.
   *
   * @return the event; empty when none came within the timeout
   */
  public Optional<NvmlEvent> waitForEvent(NvmlEventSet set, int timeoutMs) throws NvmlException {
    Memory data = new Memory(EVENT_SIZE);
    data.clear();
    int code = invoke(() -> lib.nvmlEventSetWait_v2(set.handle(), data, timeoutMs));
    if (code == NvmlException.TIMEOUT) {
      return Optional.empty();
    }
    throwIfFailed("nvmlEventSetWait_v2", code);
    Pointer handle = data.getPointer(0);
    int index =
        devices.stream()
            .filter(d -> d.handle().equals(handle))
            .mapToInt(NvmlDevice::index)
            .findFirst()
            .orElse(-1);
    return Optional.of(new NvmlEvent(index, data.getLong(EVENT_TYPE), data.getLong(EVENT_DATA)));
  }

  /** Frees an event set. */
  public void freeEventSet(NvmlEventSet set) throws NvmlException {
    call("nvmlEventSetFree", () -> lib.nvmlEventSetFree(set.handle()));
  }

  /** Shuts NVML down; idempotent. Handles and event sets are invalid afterwards. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      lib.nvmlShutdown();
    }
  }

  private static NvmlPciInfo pci(Memory memory) {
    return new NvmlPciInfo(
        memory.getString(PCI_BUS_ID, StandardCharsets.US_ASCII.name()),
        memory.getInt(PCI_DOMAIN),
        memory.getInt(PCI_BUS),
        memory.getInt(PCI_DEVICE));
  }

  private void call(String function, IntSupplier nativeCall) throws NvmlException {
    throwIfFailed(lib, function, invoke(nativeCall));
  }

  private void throwIfFailed(String function, int code) throws NvmlException {
    throwIfFailed(lib, function, code);
  }

  private static void check(NvmlLibrary lib, String function, IntSupplier nativeCall)
      throws NvmlException {
    throwIfFailed(lib, function, invoke(nativeCall));
  }

  /** Calls a function; one the library lacks answers NVML_ERROR_FUNCTION_NOT_FOUND. */
  private static int invoke(IntSupplier nativeCall) {
    try {
      return nativeCall.getAsInt();
    } catch (UnsatisfiedLinkError e) {
      return NvmlException.FUNCTION_NOT_FOUND;
    }
  }

  private static void throwIfFailed(NvmlLibrary lib, String function, int code)
      throws NvmlException {
    if (code != 0) {
      throw new NvmlException(function, code, errorString(lib, code));
    }
  }

  private static String errorString(NvmlLibrary lib, int code) {
    try {
      String text = lib.nvmlErrorString(code);
      return text == null ? "unknown error" : text;
    } catch (UnsatisfiedLinkError e) {
      return "unknown error";
    }
  }
}
