package io.gpupool.agent.device;

import io.gpupool.agent.device.nvml.Nvml;
import io.gpupool.agent.device.nvml.NvmlDevice;
import io.gpupool.agent.device.nvml.NvmlEvent;
import io.gpupool.agent.device.nvml.NvmlEventSet;
import io.gpupool.agent.device.nvml.NvmlException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits for critical XID and double-bit ECC events on a daemon thread and records them as {@link
 * DeviceFaults}. The wait has a timeout so that {@link #close()} can stop the thread.
 *
 * <p>Thread-safe. A driver that cannot deliver events is logged once and left alone: health then
 * rests on the sampled ECC counts and on failing calls.
 */
final class NvmlEventWatcher implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(NvmlEventWatcher.class);
  private static final long EVENT_TYPES =
      Nvml.EVENT_XID_CRITICAL_ERROR | Nvml.EVENT_DOUBLE_BIT_ECC_ERROR;

  private final Nvml nvml;
  private final NvmlEventSet set;
  private final DeviceFaults faults;
  private final int waitMillis;
  private final Thread thread;
  private volatile boolean running = true;

  private NvmlEventWatcher(Nvml nvml, NvmlEventSet set, DeviceFaults faults, Duration wait) {
    this.nvml = nvml;
    this.set = set;
    this.faults = faults;
    this.waitMillis = (int) wait.toMillis();
    this.thread = new Thread(this::watch, "gpupool-nvml-events");
    thread.setDaemon(true);
  }

  /**
   * Registers the devices for events and starts watching.
   *
   * @param wait how long one wait for an event lasts, which bounds how long {@link #close()} takes
   * @return the watcher; empty when the driver supports no events for any device
   */
  static Optional<NvmlEventWatcher> start(
      Nvml nvml, List<NvmlDevice> devices, DeviceFaults faults, Duration wait) {
    NvmlEventSet set;
    try {
      set = nvml.createEventSet();
    } catch (NvmlException e) {
      log.info("GPU error events are not watched: {}", e.getMessage());
      return Optional.empty();
    }
    int registered = 0;
    for (NvmlDevice device : devices) {
      try {
        nvml.registerEvents(device, EVENT_TYPES, set);
        registered++;
      } catch (NvmlException e) {
        log.info("GPU {}: XID/ECC events are not watched: {}", device.index(), e.getMessage());
      }
    }
    if (registered == 0) {
      free(nvml, set);
      return Optional.empty();
    }
    NvmlEventWatcher watcher = new NvmlEventWatcher(nvml, set, faults, wait);
    watcher.thread.start();
    return Optional.of(watcher);
  }

  private void watch() {
    while (running) {
      try {
        nvml.waitForEvent(set, waitMillis).ifPresent(this::handle);
      } catch (NvmlException e) {
        if (running) {
          log.warn("stopped watching GPU error events: {}", e.getMessage());
        }
        return;
      }
    }
  }

  private void handle(NvmlEvent event) {
    if (event.deviceIndex() < 0) {
      log.warn("NVML event {} on an unknown device", event);
      return;
    }
    if ((event.type() & Nvml.EVENT_DOUBLE_BIT_ECC_ERROR) != 0) {
      fault(event.deviceIndex(), "double-bit ECC error");
    }
    if ((event.type() & Nvml.EVENT_XID_CRITICAL_ERROR) != 0) {
      String reason = Xids.describe(event.data());
      if (Xids.isDeviceFault(event.data())) {
        fault(event.deviceIndex(), reason);
      } else {
        log.info("GPU {}: {}, caused by the program running on it", event.deviceIndex(), reason);
      }
    }
  }

  private void fault(int index, String reason) {
    log.error("GPU {} is unhealthy: {}", index, reason);
    faults.record(index, reason);
  }

  /** Stops the thread (within one wait) and frees the event set. */
  @Override
  public void close() {
    running = false;
    try {
      thread.join(2L * waitMillis + 1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!thread.isAlive()) {
      free(nvml, set);
    }
  }

  private static void free(Nvml nvml, NvmlEventSet set) {
    try {
      nvml.freeEventSet(set);
    } catch (NvmlException e) {
      log.debug("freeing the NVML event set failed: {}", e.getMessage());
    }
  }
}
