package io.gpupool.agent.device;

import io.gpupool.agent.device.nvml.NvmlException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;

/**
 * Logs each kind of NVML failure once per device and function, then only at debug level: a driver
 * that does not support a measurement says so on every sample, which must not flood the log.
 *
 * <p>Thread-safe.
 */
final class UnavailableLog {

  private final Logger log;
  private final Set<String> seen = ConcurrentHashMap.newKeySet();

  UnavailableLog(Logger log) {
    this.log = log;
  }

  /** Notes that a measurement of a device is unknown because of the failure. */
  void unknown(int index, String what, NvmlException e) {
    String key = index + "/" + e.function() + "/" + e.code();
    if (seen.add(key)) {
      if (e.isUnavailable()) {
        log.info("GPU {}: {} is unknown ({})", index, what, e.getMessage());
      } else {
        log.warn("GPU {}: {} is unknown ({})", index, what, e.getMessage());
      }
    } else {
      log.debug("GPU {}: {} is unknown ({})", index, what, e.getMessage());
    }
  }
}
