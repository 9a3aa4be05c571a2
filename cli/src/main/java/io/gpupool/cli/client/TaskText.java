package io.gpupool.cli.client;

import io.gpupool.cli.text.NumberText;
import io.gpupool.proto.v1.Placement;
import io.gpupool.proto.v1.Progress;
import io.gpupool.proto.v1.TaskResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Renders parts of a task as short human text. Stateless, thread-safe. */
final class TaskText {
  private TaskText() {}

  /** {@code node-a gpus 0,1}; empty when there is no placement. */
  static String placement(Placement placement) {
    String node =
        placement.getNodeName().isEmpty() ? placement.getNodeId() : placement.getNodeName();
    if (node.isEmpty()) {
      return "";
    }
    if (placement.getDeviceIndicesCount() == 0) {
      return node;
    }
    return node + " gpus " + indices(placement.getDeviceIndicesList());
  }

  /** {@code 0,1} */
  static String indices(List<Integer> indices) {
    return indices.stream().map(String::valueOf).collect(Collectors.joining(","));
  }

  /** {@code 33% step 1/3 loss=0.31 warming up}, the parts the workload reported. */
  static String progress(Progress progress) {
    List<String> parts = new ArrayList<>();
    if (progress.hasPercent()) {
      parts.add(NumberText.compact(Math.round(progress.getPercent() * 10) / 10.0) + "%");
    }
    if (progress.hasStep()) {
      parts.add(
          "step "
              + progress.getStep()
              + (progress.hasTotalSteps() ? "/" + progress.getTotalSteps() : ""));
    }
    for (Map.Entry<String, Double> metric : new TreeMap<>(progress.getMetricsMap()).entrySet()) {
      parts.add(metric.getKey() + "=" + NumberText.compact(metric.getValue()));
    }
    if (!progress.getMessage().isEmpty()) {
      parts.add(progress.getMessage());
    }
    return String.join(" ", parts);
  }

  /** {@code exit code 3: killed}, {@code exit code 0} or {@code exec failed}; may be empty. */
  static String result(TaskResult result) {
    String code = result.hasExitCode() ? "exit code " + result.getExitCode() : "";
    if (result.getMessage().isEmpty()) {
      return code;
    }
    return code.isEmpty() ? result.getMessage() : code + ": " + result.getMessage();
  }

  /** The value, or {@code -} when empty, for table cells. */
  static String orDash(String value) {
    return value == null || value.isEmpty() ? "-" : value;
  }
}
