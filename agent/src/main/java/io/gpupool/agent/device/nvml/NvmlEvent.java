package io.gpupool.agent.device.nvml;

/**
 * An event NVML reported on a device (nvmlEventData_t).
 *
 * @param deviceIndex index of the device it happened on; -1 when NVML named no known device
 * @param type the event type bit, e.g. {@link Nvml#EVENT_XID_CRITICAL_ERROR}
 * @param data the XID for an XID event (999 when unknown), 0 otherwise
 */
public record NvmlEvent(int deviceIndex, long type, long data) {}
