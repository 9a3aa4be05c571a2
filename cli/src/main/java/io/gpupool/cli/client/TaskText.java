package io.gpupool.cli.client;

import io.gpupool.cli.text.NumberText;
import io.gpupool.proto.v1.CudaKernelWorkload;
import io.gpupool.proto.v1.DiagnosticWorkload;
import io.gpupool.proto.v1.Dim3;
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

  /**
   * {@code exit code 3: killed}, {@code exit code 0}, {@code exec failed} or {@code
   * CUDA_ERROR_INVALID_PTX: cannot load the module}; may be empty.
   */
  static String result(TaskResult result) {
    List<String> parts = new ArrayList<>();
    if (result.hasExitCode()) {
      parts.add("exit code " + result.getExitCode());
    }
    if (!result.getReasonCode().isEmpty()) {
      parts.add(result.getReasonCode());
    }
    if (!result.getMessage().isEmpty()) {
      parts.add(result.getMessage());
    }
    return String.join(": ", parts);
  }

  /** {@code saxpy grid 4x1x1 block 256x1x1, 3 args}. */
  static String kernel(CudaKernelWorkload kernel) {
    return kernel.getKernel()
        + " grid "
        + dim3(kernel.getGrid())
        + " block "
        + dim3(kernel.getBlock())
        + (kernel.getSharedMemoryBytes() > 0
            ? ", " + kernel.getSharedMemoryBytes() + " bytes shared"
            : "")
        + ", "
        + kernel.getArgumentsCount()
        + (kernel.getArgumentsCount() == 1 ? " arg" : " args");
  }

  /** {@code bandwidth, fma}, or {@code all checks}. */
  static String diagnostic(DiagnosticWorkload diagnostic) {
    return diagnostic.getChecksCount() == 0
        ? "all checks"
        : diagnostic.getChecksList().stream()
            .map(DiagnosticCheckConverter::name)
            .collect(Collectors.joining(", "));
  }

  /** {@code 4x1x1}; a 0 in y or z means 1, as on the wire. */
  private static String dim3(Dim3 dim) {
    return dim.getX() + "x" + Math.max(1, dim.getY()) + "x" + Math.max(1, dim.getZ());
  }

  /** The value, or {@code -} when empty, for table cells. */
  static String orDash(String value) {
    return value == null || value.isEmpty() ? "-" : value;
  }
}
