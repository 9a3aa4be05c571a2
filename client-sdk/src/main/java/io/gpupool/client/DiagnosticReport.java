package io.gpupool.client;

import java.util.List;

/**
 * Results of a {@link Diagnostic} task. Immutable.
 *
 * @param devices one entry per assigned GPU
 */
public record DiagnosticReport(List<DeviceDiagnostic> devices) {
  /** Copies the devices. */
  public DiagnosticReport {
    devices = List.copyOf(devices);
  }

  /** Returns whether there is at least one device and every device passed. */
  public boolean passed() {
    return !devices.isEmpty() && devices.stream().allMatch(DeviceDiagnostic::passed);
  }
}
