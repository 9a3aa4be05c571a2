package io.gpupool.cli.client;

import io.gpupool.cli.text.NumberText;
import io.gpupool.cli.text.ProgressLine;
import io.gpupool.cli.text.TablePrinter;
import io.gpupool.proto.v1.DeviceStatus;
import io.gpupool.proto.v1.Gpu;
import io.gpupool.proto.v1.ListNodesResponse;
import io.gpupool.proto.v1.Node;
import io.gpupool.proto.v1.NodeState;
import java.util.ArrayList;
import java.util.List;

/**
 * The screen of {@code gpupool top}: a header line with the cluster's totals and queue length, then
 * one aligned row per GPU (node, index, model, utilization bar, memory, power, temperature, health,
 * task). Lines are cut at the terminal's width.
 *
 * <p>Pure functions; thread-safe.
 */
final class TopView {
  private static final double GIB = 1024.0 * 1024 * 1024;
  private static final int UTIL_BAR = 10;
  private static final String UNKNOWN = "-";

  private TopView() {}

  /** The lines of one screen, at most {@code width} characters each. */
  static List<String> render(ListNodesResponse nodes, long queueLength, int width) {
    List<String> lines = new ArrayList<>();
    lines.add(header(nodes, queueLength));
    lines.add("");
    TablePrinter table =
        TablePrinter.withHeader(
            "NODE", "GPU", "MODEL", "UTIL", "MEMORY", "POWER", "TEMP", "HEALTH", "TASK");
    for (Node node : nodes.getNodesList()) {
      String nodeName = TaskText.orDash(node.getName()) + nodeFlags(node);
      for (Gpu gpu : node.getGpusList()) {
        DeviceStatus status = gpu.getStatus();
        table.row(
            nodeName,
            gpu.getInfo().getIndex(),
            TaskText.orDash(gpu.getInfo().getModel()),
            status.hasUtilizationPercent()
                ? ProgressLine.percentPart(status.getUtilizationPercent(), UTIL_BAR)
                : UNKNOWN,
            (status.hasMemoryUsedBytes()
                    ? NumberText.oneDecimal(status.getMemoryUsedBytes() / GIB)
                    : UNKNOWN)
                + "/"
                + NumberText.oneDecimal(gpu.getInfo().getMemoryTotalBytes() / GIB)
                + " GiB",
            status.hasPowerWatts() ? Math.round(status.getPowerWatts()) + " W" : UNKNOWN,
            status.hasTemperatureCelsius()
                ? Math.round(status.getTemperatureCelsius()) + " C"
                : UNKNOWN,
            GpuText.health(gpu),
            TaskText.orDash(gpu.getTaskId()));
      }
    }
    lines.addAll(table.lines());
    int limit = Math.max(1, width);
    return lines.stream().map(l -> l.length() <= limit ? l : l.substring(0, limit)).toList();
  }

  /** {@code nodes 2 (1 ready) GPUs 1/3 busy util 48% memory 82.0/160.0 GiB power 602 W queue 4}. */
  static String header(ListNodesResponse nodes, long queueLength) {
    int nodeCount = nodes.getNodesCount();
    long ready =
        nodes.getNodesList().stream()
            .filter(n -> n.getState() == NodeState.NODE_STATE_READY)
            .count();
    List<Gpu> gpus = nodes.getNodesList().stream().flatMap(n -> n.getGpusList().stream()).toList();
    long busy = gpus.stream().filter(g -> !g.getTaskId().isEmpty()).count();
    double utilization =
        gpus.stream()
            .filter(g -> g.getStatus().hasUtilizationPercent())
            .mapToDouble(g -> g.getStatus().getUtilizationPercent())
            .average()
            .orElse(Double.NaN);
    double memoryUsed =
        gpus.stream().mapToLong(g -> g.getStatus().getMemoryUsedBytes()).sum() / GIB;
    double memoryTotal =
        gpus.stream().mapToLong(g -> g.getInfo().getMemoryTotalBytes()).sum() / GIB;
    double power = gpus.stream().mapToDouble(g -> g.getStatus().getPowerWatts()).sum();
    return String.join(
        "  ",
        "nodes " + nodeCount + " (" + ready + " ready)",
        "GPUs " + busy + "/" + gpus.size() + " busy",
        "util " + (Double.isNaN(utilization) ? UNKNOWN : Math.round(utilization) + "%"),
        "memory "
            + NumberText.oneDecimal(memoryUsed)
            + "/"
            + NumberText.oneDecimal(memoryTotal)
            + " GiB",
        "power " + Math.round(power) + " W",
        "queue " + queueLength);
  }

  private static String nodeFlags(Node node) {
    String flags = node.getState() == NodeState.NODE_STATE_READY ? "" : " (" + state(node) + ")";
    return node.getCordoned() ? flags + " (cordoned)" : flags;
  }

  private static String state(Node node) {
    return switch (node.getState()) {
      case NODE_STATE_DISCONNECTED -> "disconnected";
      case NODE_STATE_LOST -> "lost";
      default -> "unknown";
    };
  }
}
