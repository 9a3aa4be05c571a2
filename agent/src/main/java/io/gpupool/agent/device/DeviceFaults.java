package io.gpupool.agent.device;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Faults reported by events (an XID, a double-bit ECC error), kept per device until a diagnostic
 * passes on it: an event happens once, but the device stays suspect after it.
 *
 * <p>Thread-safe: the event watcher records, the sampler reads, task code clears.
 */
final class DeviceFaults {

  private final Map<Integer, String> faults = new ConcurrentHashMap<>();

  /** Records a fault; the first reason of a device stays until {@link #clear}. */
  void record(int index, String reason) {
    faults.putIfAbsent(index, reason);
  }

  /** The device's fault, or "" when none. */
  String reason(int index) {
    return faults.getOrDefault(index, "");
  }

  /** Ends the device's fault. */
  void clear(int index) {
    faults.remove(index);
  }
}
