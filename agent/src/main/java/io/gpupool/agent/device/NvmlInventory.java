package io.gpupool.agent.device;

import io.gpupool.agent.device.nvml.Nvml;
import io.gpupool.agent.device.nvml.NvmlDevice;
import io.gpupool.agent.device.nvml.NvmlException;
import io.gpupool.agent.device.nvml.NvmlPciInfo;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads what does not change about a node's GPUs from NVML: identity, memory, PCI slot, compute
 * capability, power limit and NVLink islands. UUID, name and total memory are required; the rest is
 * left unknown when the driver does not say.
 *
 * <p>Stateless and thread-safe.
 */
final class NvmlInventory {

  private static final Logger log = LoggerFactory.getLogger(NvmlInventory.class);

  private NvmlInventory() {}

  /**
   * The devices, by index.
   *
   * @throws NvmlException when a device cannot say its UUID, name or total memory
   */
  static List<GpuDevice> read(Nvml nvml) throws NvmlException {
    List<NvmlPciInfo> slots = new ArrayList<>();
    List<List<NvmlPciInfo>> remotes = new ArrayList<>();
    for (NvmlDevice device : nvml.devices()) {
      slots.add(optional(device, "PCI bus id", () -> nvml.pciInfo(device)));
      remotes.add(linkRemotes(nvml, device));
    }
    List<String> islands = NvlinkIslands.of(slots, remotes);
    List<GpuDevice> devices = new ArrayList<>();
    for (NvmlDevice device : nvml.devices()) {
      int i = device.index();
      int[] cc = optional(device, "compute capability", () -> nvml.cudaComputeCapability(device));
      Long limit = optional(device, "power limit", () -> nvml.enforcedPowerLimitMilliwatts(device));
      devices.add(
          new GpuDevice(
              i,
              nvml.uuid(device),
              nvml.name(device),
              nvml.memoryTotal(device),
              false,
              islands.get(i),
              limit == null ? 0 : limit / 1000.0,
              slots.get(i) == null ? "" : slots.get(i).busId(),
              cc == null ? "" : cc[0] + "." + cc[1],
              0));
    }
    return devices;
  }

  /** The driver version, "" when NVML does not say. */
  static String driverVersion(Nvml nvml) {
    try {
      return nvml.driverVersion();
    } catch (NvmlException e) {
      log.info("the NVIDIA driver version is unknown: {}", e.getMessage());
      return "";
    }
  }

  /** What the device's active links reach; empty without NVLink. */
  private static List<NvmlPciInfo> linkRemotes(Nvml nvml, NvmlDevice device) {
    List<NvmlPciInfo> remotes = new ArrayList<>();
    for (int link = 0; link < Nvml.MAX_NVLINKS; link++) {
      try {
        if (nvml.nvLinkActive(device, link)) {
          remotes.add(nvml.nvLinkRemotePciInfo(device, link));
        }
      } catch (NvmlException e) {
        if (link == 0) {
          log.debug("GPU {}: no NVLink ({})", device.index(), e.getMessage());
        }
        break; // the links the device has are numbered from 0
      }
    }
    return remotes;
  }

  /** One NVML call. */
  @FunctionalInterface
  private interface NvmlCall<T> {
    T call() throws NvmlException;
  }

  private static <T> T optional(NvmlDevice device, String what, NvmlCall<T> call) {
    try {
      return call.call();
    } catch (NvmlException e) {
      log.info("GPU {}: {} is unknown ({})", device.index(), what, e.getMessage());
      return null;
    }
  }
}
