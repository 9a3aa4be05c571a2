package io.gpupool.agent.device;

import io.gpupool.agent.device.nvml.Nvml;
import io.gpupool.agent.device.nvml.NvmlDevice;
import io.gpupool.agent.device.nvml.NvmlException;
import io.gpupool.agent.device.nvml.NvmlProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's real GPUs, through NVML. The inventory (UUIDs, models, memory, PCI bus ids, compute
 * capability, NVLink islands) is read once at {@link #open}; {@link #sample()} reads the live
 * state.
 *
 * <p>A measurement the driver lacks or refuses is reported as unknown and logged once. A device is
 * unhealthy, with a reason, while NVML says it is lost, while its volatile uncorrected ECC count is
 * above zero, and from a critical XID or double-bit ECC event until {@link #diagnosticPassed}.
 *
 * <p>Thread-safe. {@link #close()} stops the event watcher and shuts NVML down.
 */
public final class NvmlBackend implements DeviceBackend {

  private static final Logger log = LoggerFactory.getLogger(NvmlBackend.class);
  private static final Duration EVENT_WAIT = Duration.ofMillis(500);

  private final Nvml nvml;
  private final List<GpuDevice> devices;
  private final String driverVersion;
  private final String cudaDriverVersion;
  private final DeviceFaults faults = new DeviceFaults();
  private final UnavailableLog unknowns = new UnavailableLog(log);
  private final AtomicBoolean closed = new AtomicBoolean();
  private Optional<NvmlEventWatcher> events = Optional.empty();

  private NvmlBackend(Nvml nvml, List<GpuDevice> devices, String driver, String cuda) {
    this.nvml = nvml;
    this.devices = List.copyOf(devices);
    this.driverVersion = driver;
    this.cudaDriverVersion = cuda;
  }

  /**
   * Loads NVML from a file, reads the inventory and starts watching error events.
   *
   * @throws DeviceBackendException with NVML's error and a hint when the library does not load or
   *     initialize, or a GPU cannot even say its UUID, name and memory; NVML is shut down again
   */
  public static NvmlBackend open(Path library) throws DeviceBackendException {
    return open(library, EVENT_WAIT);
  }

  /** As {@link #open(Path)}, with the length of one event wait (tests shorten it). */
  static NvmlBackend open(Path library, Duration eventWait) throws DeviceBackendException {
    Nvml nvml;
    try {
      nvml = Nvml.load(library);
    } catch (NvmlException e) {
      throw new DeviceBackendException(
          "cannot initialize NVML from "
              + library
              + " ("
              + e.getMessage()
              + "); check that the NVIDIA driver is loaded (nvidia-smi must work) and that"
              + " --nvml-library names the driver's libnvidia-ml.so.1");
    }
    try {
      NvmlBackend backend =
          new NvmlBackend(
              nvml, NvmlInventory.read(nvml), NvmlInventory.driverVersion(nvml), cuda(nvml));
      backend.events = NvmlEventWatcher.start(nvml, nvml.devices(), backend.faults, eventWait);
      return backend;
    } catch (NvmlException e) {
      nvml.close();
      throw new DeviceBackendException(
          "NVML cannot describe a GPU ("
              + e.getMessage()
              + "); check the GPUs with nvidia-smi, or run with --simulate");
    }
  }

  private static String cuda(Nvml nvml) {
    try {
      int version = nvml.cudaDriverVersion();
      return version / 1000 + "." + (version % 1000) / 10;
    } catch (NvmlException e) {
      log.info("the CUDA driver version is unknown: {}", e.getMessage());
      return "";
    }
  }

  @Override
  public List<GpuDevice> devices() {
    return devices;
  }

  @Override
  public List<GpuSample> sample() {
    List<GpuSample> samples = new ArrayList<>(devices.size());
    for (GpuDevice device : devices) {
      samples.add(sample(device.index()));
    }
    return samples;
  }

  private GpuSample sample(int index) {
    NvmlDevice device = nvml.device(index);
    Reading r = new Reading(index);
    GpuSample.Builder b = GpuSample.builder(index);
    r.read("memory used", () -> nvml.memoryUsed(device)).ifPresent(b::memoryUsedBytes);
    r.read("utilization", () -> nvml.utilization(device))
        .ifPresent(u -> b.utilizationPercent(u[0]).memoryUtilizationPercent(u[1]));
    r.read("power draw", () -> nvml.powerUsageMilliwatts(device))
        .ifPresent(mw -> b.powerWatts(mw / 1000.0));
    r.read("power limit", () -> nvml.enforcedPowerLimitMilliwatts(device))
        .ifPresent(mw -> b.powerLimitWatts(mw / 1000.0));
    r.read("temperature", () -> nvml.temperature(device)).ifPresent(b::temperatureCelsius);
    Optional<Long> corrected = r.read("ECC", () -> nvml.volatileEccErrors(device, false));
    Optional<Long> uncorrected = r.read("ECC", () -> nvml.volatileEccErrors(device, true));
    b.eccVolatile(corrected.orElse((long) GpuSample.UNKNOWN), uncorrected.orElse(-1L));
    r.read("processes", () -> nvml.computeRunningProcesses(device))
        .ifPresent(p -> b.processes(usages(p)));
    b.nvlinkActiveLinks(activeLinks(r, device));
    return b.unhealthy(healthReason(index, r, uncorrected.orElse(0L))).build();
  }

  private int activeLinks(Reading r, NvmlDevice device) {
    int active = 0;
    for (int link = 0; link < Nvml.MAX_NVLINKS; link++) {
      int l = link;
      Optional<Boolean> up =
          link == 0
              ? r.read("NVLink state", () -> nvml.nvLinkActive(device, l))
              : r.readQuietly(() -> nvml.nvLinkActive(device, l));
      if (up.isEmpty()) {
        return link == 0 ? GpuSample.UNKNOWN : active;
      }
      active += up.get() ? 1 : 0;
    }
    return active;
  }

  private String healthReason(int index, Reading r, long uncorrectedEcc) {
    if (!r.lostReason.isEmpty()) {
      return r.lostReason;
    }
    String fault = faults.reason(index);
    if (!fault.isEmpty()) {
      return fault;
    }
    return uncorrectedEcc > 0 ? uncorrectedEcc + " uncorrected ECC errors (volatile)" : "";
  }

  private static List<GpuProcessUsage> usages(List<NvmlProcess> processes) {
    return processes.stream().map(p -> new GpuProcessUsage(p.pid(), p.usedMemoryBytes())).toList();
  }

  @Override
  public List<GpuProcessUsage> computeProcesses(int index) throws DeviceBackendException {
    try {
      return usages(nvml.computeRunningProcesses(nvml.device(index)));
    } catch (NvmlException e) {
      if (e.isUnavailable()) {
        unknowns.unknown(index, "processes", e);
        return List.of();
      }
      throw new DeviceBackendException("GPU " + index + ": " + e.getMessage());
    }
  }

  @Override
  public void diagnosticPassed(int index) {
    faults.clear(index);
  }

  @Override
  public String driverVersion() {
    return driverVersion;
  }

  @Override
  public String cudaDriverVersion() {
    return cudaDriverVersion;
  }

  @Override
  public String description() {
    Map<String, Long> models =
        devices.stream()
            .collect(
                Collectors.groupingBy(GpuDevice::model, LinkedHashMap::new, Collectors.counting()));
    return "NVIDIA driver "
        + driverVersion
        + ": "
        + models.entrySet().stream()
            .map(e -> e.getValue() + "x " + e.getKey())
            .collect(Collectors.joining(", "));
  }

  @Override
  public boolean isSimulated() {
    return false;
  }

  /** Stops watching events and shuts NVML down; idempotent. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      events.ifPresent(NvmlEventWatcher::close);
      nvml.close();
    }
  }

  /** One NVML call; a lambda may throw what the binding throws. */
  @FunctionalInterface
  private interface NvmlCall<T> {
    T call() throws NvmlException;
  }

  /**
   * The calls of one device's sample: a failing call leaves its measurement unknown, and once one
   * says the GPU is lost the rest are skipped and the reading carries the reason.
   */
  private final class Reading {
    private final int index;
    private String lostReason = "";

    Reading(int index) {
      this.index = index;
    }

    <T> Optional<T> read(String what, NvmlCall<T> call) {
      return read(what, call, true);
    }

    <T> Optional<T> readQuietly(NvmlCall<T> call) {
      return read("", call, false);
    }

    private <T> Optional<T> read(String what, NvmlCall<T> call, boolean logUnknown) {
      if (!lostReason.isEmpty()) {
        return Optional.empty();
      }
      try {
        return Optional.of(call.call());
      } catch (NvmlException e) {
        if (e.isGpuLost()) {
          lostReason = "NVML: " + e.getMessage();
          log.error("GPU {} is unhealthy: {}", index, lostReason);
        } else if (logUnknown) {
          unknowns.unknown(index, what, e);
        }
        return Optional.empty();
      }
    }
  }
}
