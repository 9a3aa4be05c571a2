package io.gpupool.agent.device.nvml;

/**
 * Where a device sits on the PCI bus (nvmlPciInfo_t).
 *
 * @param busId the bus id as NVML prints it, e.g. "00000000:3B:00.0"
 * @param domain PCI domain
 * @param bus PCI bus
 * @param device PCI device on the bus
 */
public record NvmlPciInfo(String busId, int domain, int bus, int device) {

  /** True when both name the same PCI slot, however their bus id strings are written. */
  public boolean sameSlot(NvmlPciInfo other) {
    return domain == other.domain && bus == other.bus && device == other.device;
  }
}
