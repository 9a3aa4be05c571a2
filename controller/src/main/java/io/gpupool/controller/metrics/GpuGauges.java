package io.gpupool.controller.metrics;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import io.gpupool.controller.loop.NodeDirectory;
import io.gpupool.proto.v1.DeviceStatus;
import io.gpupool.proto.v1.Gpu;
import io.gpupool.proto.v1.Node;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

/**
 * Per-GPU utilization, memory and power gauges over the latest telemetry the {@link NodeDirectory}
 * holds. A GPU gets its gauges the first time {@link #refresh} sees it and keeps them; a gauge
 * reads {@code NaN} while its GPU has no sample of that kind (or its node is gone).
 *
 * <p>Thread-safe: {@link #refresh} may run on any thread (each scrape calls it), and the gauges
 * read the directory, which is safe to read from any thread.
 */
public final class GpuGauges {
  private final MetricRegistry registry;
  private final NodeDirectory directory;
  private final Map<String, Boolean> registered = new ConcurrentHashMap<>();

  public GpuGauges(MetricRegistry registry, NodeDirectory directory) {
    this.registry = registry;
    this.directory = directory;
  }

  /** Registers gauges for GPUs that appeared since the last call. */
  public void refresh() {
    for (Node node : directory.list()) {
      for (Gpu gpu : node.getGpusList()) {
        int index = gpu.getInfo().getIndex();
        register(
            "utilization_percent",
            node.getId(),
            index,
            s -> optional(s.hasUtilizationPercent(), s.getUtilizationPercent()));
        register(
            "memory_used_bytes",
            node.getId(),
            index,
            s -> optional(s.hasMemoryUsedBytes(), s.getMemoryUsedBytes()));
        register(
            "power_watts",
            node.getId(),
            index,
            s -> optional(s.hasPowerWatts(), s.getPowerWatts()));
      }
    }
  }

  private void register(
      String kind, String nodeId, int index, ToDoubleFunction<DeviceStatus> value) {
    String name = MetricNames.gpu(kind, nodeId, index);
    if (registered.putIfAbsent(name, Boolean.TRUE) == null) {
      Gauge<Double> gauge =
          () -> status(nodeId, index).map(value::applyAsDouble).orElse(Double.NaN);
      registry.register(name, gauge);
    }
  }

  private static double optional(boolean present, double value) {
    return present ? value : Double.NaN;
  }

  private Optional<DeviceStatus> status(String nodeId, int index) {
    return directory.get(nodeId).stream()
        .flatMap(n -> n.getGpusList().stream())
        .filter(g -> g.getInfo().getIndex() == index && g.hasStatus())
        .map(Gpu::getStatus)
        .findFirst();
  }
}
