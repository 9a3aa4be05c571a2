package io.gpupool.agent.cuda;

import io.gpupool.proto.v1.DeviceDiagnostic;
import io.gpupool.proto.v1.DiagnosticReport;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A diagnostic report as text for people ({@code gpupool diag}, logs), one line per device, e.g.
 * {@code "GPU 0 GPU-8932f937-...: passed, memory bandwidth 2934.1 GB/s, FMA 51234.0 GFLOP/s"}.
 */
public final class DiagnosticReportText {

  private DiagnosticReportText() {}

  /** One line per device, each ending with a newline; "no devices\n" for an empty report. */
  public static String format(DiagnosticReport report) {
    if (report.getDevicesCount() == 0) {
      return "no devices\n";
    }
    return report.getDevicesList().stream()
        .map(d -> "GPU " + d.getDeviceIndex() + " " + d.getDeviceUuid() + ": " + line(d) + "\n")
        .collect(Collectors.joining());
  }

  /** One device's outcome without its name: "passed, ..." or "FAILED: why, ...". */
  public static String line(DeviceDiagnostic device) {
    StringBuilder text =
        new StringBuilder(device.getPassed() ? "passed" : "FAILED: " + device.getMessage());
    if (device.hasMemoryBandwidthGbps()) {
      text.append(
          String.format(
              Locale.ROOT, ", memory bandwidth %.1f GB/s", device.getMemoryBandwidthGbps()));
    }
    if (device.hasFmaGflops()) {
      text.append(String.format(Locale.ROOT, ", FMA %.1f GFLOP/s", device.getFmaGflops()));
    }
    return text.toString();
  }
}
