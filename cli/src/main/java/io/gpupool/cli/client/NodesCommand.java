package io.gpupool.cli.client;

import io.gpupool.cli.text.TablePrinter;
import io.gpupool.cli.text.TimeText;
import io.gpupool.proto.v1.Gpu;
import io.gpupool.proto.v1.ListNodesRequest;
import io.gpupool.proto.v1.ListNodesResponse;
import io.gpupool.proto.v1.Node;
import io.gpupool.proto.v1.NodeState;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code gpupool nodes}: the nodes and, indented under each, its GPUs with their latest telemetry,
 * task and health ({@link GpuText}). {@code -o json} prints the ListNodesResponse.
 */
@Command(name = "nodes", description = "Lists the nodes and their GPUs.")
public final class NodesCommand implements Callable<Integer> {
  private static final String GPU_INDENT = "  ";

  @Mixin private ControllerOptions controller;

  @Option(
      names = "--history",
      description = "Include each GPU's recent samples (shown with -o json).")
  private boolean history;

  @Override
  public Integer call() {
    ListNodesResponse nodes;
    try (ControllerConnection connection = controller.connect()) {
      nodes =
          connection
              .call()
              .listNodes(ListNodesRequest.newBuilder().setIncludeHistory(history).build());
    }
    if (controller.json()) {
      controller.out().println(Json.pretty(nodes));
    } else {
      printTable(nodes.getNodesList(), controller.out());
    }
    controller.out().flush();
    return 0;
  }

  private void printTable(List<Node> nodes, PrintWriter out) {
    Instant now = controller.context().clock().instant();
    TablePrinter nodeTable =
        TablePrinter.withHeader(
            "NODE", "STATE", "GPUS(free/total)", "MODEL", "HEARTBEAT", "DRIVER");
    // One table across all GPUs keeps their columns aligned from node to node.
    TablePrinter gpuTable = TablePrinter.withoutHeader(GpuText.columns());
    for (Node node : nodes) {
      long free = node.getGpusList().stream().filter(g -> g.getTaskId().isEmpty()).count();
      nodeTable.row(
          TaskText.orDash(node.getName()),
          nodeState(node.getState()) + (node.getCordoned() ? ",CORDONED" : ""),
          free + "/" + node.getGpusCount(),
          TaskText.orDash(
              node.getGpusList().stream()
                  .map(g -> g.getInfo().getModel())
                  .filter(m -> !m.isEmpty())
                  .distinct()
                  .collect(Collectors.joining(","))),
          ProtoTime.instant(node.hasLastHeartbeatTime(), node.getLastHeartbeatTime())
              .map(beat -> TimeText.age(beat, now) + " ago")
              .orElse("never"),
          driver(node));
      for (Gpu gpu : node.getGpusList()) {
        gpuTable.row(GpuText.cells(gpu));
      }
    }
    List<String> nodeLines = nodeTable.lines();
    List<String> gpuLines = gpuTable.lines();
    out.println(nodeLines.get(0));
    int gpuLine = 0;
    for (int n = 0; n < nodes.size(); n++) {
      out.println(nodeLines.get(n + 1));
      for (int g = 0; g < nodes.get(n).getGpusCount(); g++) {
        out.println(GPU_INDENT + gpuLines.get(gpuLine++));
      }
    }
  }

  /** {@code 550.54.15 (CUDA 12.4)}; {@code -} for simulated nodes. */
  private static String driver(Node node) {
    if (node.getDriverVersion().isEmpty()) {
      return "-";
    }
    return node.getDriverVersion()
        + (node.getCudaDriverVersion().isEmpty()
            ? ""
            : " (CUDA " + node.getCudaDriverVersion() + ")");
  }

  private static String nodeState(NodeState state) {
    return switch (state) {
      case NODE_STATE_READY -> "READY";
      case NODE_STATE_DISCONNECTED -> "DISCONNECTED";
      case NODE_STATE_LOST -> "LOST";
      default -> "UNKNOWN";
    };
  }
}
