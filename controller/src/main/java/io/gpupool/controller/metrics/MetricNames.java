package io.gpupool.controller.metrics;

import io.prometheus.metrics.instrumentation.dropwizard5.labels.CustomLabelMapper;
import io.prometheus.metrics.instrumentation.dropwizard5.labels.MapperConfig;
import java.util.List;
import java.util.Map;

/**
 * How the Dropwizard names of labelled metrics map to Prometheus names and labels. Dropwizard names
 * have no labels, so a label's value is a part of the name ({@code gpupool.gpu.utilization.NODE.N})
 * and the bridge's label mapper takes it back out ({@code
 * gpupool_gpu_utilization{node="NODE",gpu="N"}}). A part holds no dot, so dots in a node id or a
 * tenant read as {@code _} in the label: {@link #part}.
 */
public final class MetricNames {
  /** Tasks queued, per tenant: {@code gpupool.queue.length.TENANT}. */
  public static final String QUEUE_LENGTH = "gpupool.queue.length";

  /** Active tasks, per state: {@code gpupool.tasks.STATE}. */
  public static final String TASKS = "gpupool.tasks";

  /** Per-GPU gauges: {@code gpupool.gpu.KIND.NODE.INDEX}. */
  public static final String GPU = "gpupool.gpu";

  /** The GPU gauge kinds, each {@code gpupool_gpu_KIND{node,gpu}} in Prometheus. */
  public static final List<String> GPU_KINDS =
      List.of("utilization_percent", "memory_used_bytes", "power_watts");

  private MetricNames() {}

  /** A label value as it can sit in a Dropwizard name: without dots. */
  public static String part(String value) {
    return value.replace('.', '_');
  }

  /** The Dropwizard name of a per-GPU gauge. */
  public static String gpu(String kind, String nodeId, int index) {
    return GPU + "." + kind + "." + part(nodeId) + "." + index;
  }

  /** True for the Dropwizard names that carry label values. */
  static boolean isLabelled(String name) {
    return name.startsWith(QUEUE_LENGTH + ".")
        || name.startsWith(TASKS + ".")
        || name.startsWith(GPU + ".");
  }

  /** The mapper that turns the labelled Dropwizard names into Prometheus names with labels. */
  static CustomLabelMapper labelMapper() {
    List<MapperConfig> configs =
        new java.util.ArrayList<>(
            List.of(
                new MapperConfig(
                    QUEUE_LENGTH + ".*", "gpupool_queue_length", Map.of("tenant", "${0}")),
                new MapperConfig(TASKS + ".*", "gpupool_tasks", Map.of("state", "${0}"))));
    for (String kind : GPU_KINDS) {
      configs.add(
          new MapperConfig(
              GPU + "." + kind + ".*.*",
              "gpupool_gpu_" + kind,
              Map.of("node", "${0}", "gpu", "${1}")));
    }
    return new CustomLabelMapper(configs);
  }
}
