package io.gpupool.cli.client;

import io.gpupool.cli.text.NumberText;
import io.gpupool.proto.v1.DeviceStatus;
import io.gpupool.proto.v1.Gpu;
import java.util.List;

/**
 * Renders one GPU as the cells of a table row: index, model, memory, utilization, power,
 * temperature, allocation and health. A measurement the device does not report is shown as {@code
 * -} in place of the number. Stateless, thread-safe.
 */
final class GpuText {
  private static final double GIB = 1024.0 * 1024 * 1024;
  private static final String UNKNOWN = "-";

  private GpuText() {}

  /** The cells of the GPU's row, e.g. {@code gpu 0 | H100 | 12.0/80.0 GiB | 45% | ... | ok}. */
  static Object[] cells(Gpu gpu) {
    DeviceStatus status = gpu.getStatus();
    String total = NumberText.oneDecimal(gpu.getInfo().getMemoryTotalBytes() / GIB);
    String used =
        status.hasMemoryUsedBytes()
            ? NumberText.oneDecimal(status.getMemoryUsedBytes() / GIB)
            : UNKNOWN;
    String utilization =
        status.hasUtilizationPercent() ? rounded(status.getUtilizationPercent()) : UNKNOWN;
    String power = status.hasPowerWatts() ? rounded(status.getPowerWatts()) : UNKNOWN;
    String temperature =
        status.hasTemperatureCelsius() ? rounded(status.getTemperatureCelsius()) : UNKNOWN;
    return List.of(
            "gpu " + gpu.getInfo().getIndex(),
            TaskText.orDash(gpu.getInfo().getModel()),
            used + "/" + total + " GiB",
            utilization + "%",
            power + "/" + powerLimit(gpu) + " W",
            temperature + " C",
            gpu.getTaskId().isEmpty() ? "free" : "task " + gpu.getTaskId(),
            health(gpu))
        .toArray();
  }

  /** The number of cells {@link #cells} returns. */
  static int columns() {
    return 8;
  }

  /**
   * {@code QUARANTINED: reason} while the controller keeps work off the GPU, else {@code UNHEALTHY:
   * reason} when the last sample says so, {@code ok}, or {@code -} before the first sample.
   */
  static String health(Gpu gpu) {
    if (gpu.hasQuarantine()) {
      return withReason("QUARANTINED", gpu.getQuarantine().getReason());
    }
    if (!gpu.hasStatus()) {
      return UNKNOWN;
    }
    return gpu.getStatus().getHealthy()
        ? "ok"
        : withReason("UNHEALTHY", gpu.getStatus().getHealthReason());
  }

  /** The limit in force from the last sample, else the one the agent registered (0 = unknown). */
  private static String powerLimit(Gpu gpu) {
    if (gpu.getStatus().hasPowerLimitWatts()) {
      return rounded(gpu.getStatus().getPowerLimitWatts());
    }
    double registered = gpu.getInfo().getPowerLimitWatts();
    return registered > 0 ? rounded(registered) : UNKNOWN;
  }

  private static String withReason(String label, String reason) {
    return reason.isEmpty() ? label : label + ": " + reason;
  }

  private static String rounded(double value) {
    return Long.toString(Math.round(value));
  }
}
