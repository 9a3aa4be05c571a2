package io.gpupool.controller.loop;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import io.gpupool.controller.state.ClusterState;
import io.gpupool.controller.state.NodeEntry;
import io.gpupool.controller.state.TaskEntry;
import io.gpupool.proto.v1.TaskState;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The loop's metrics in a Dropwizard registry: timers and meters recorded on the loop thread, and
 * gauges that read the counts the loop publishes after each pass, so that a scrape on another
 * thread never touches the loop's state. Names are listed in the README's Metrics section.
 *
 * <p>Timers and meters are thread-safe; {@link #publish} runs on the loop thread only.
 */
public final class LoopMetrics {
  private final MetricRegistry registry;
  final Timer decision;
  final Timer commit;
  final Meter submits;
  final Meter placements;
  final Meter heartbeats;
  private final Set<String> gauges = new HashSet<>();
  private volatile Counts counts = new Counts(Map.of(), Map.of(), 0);

  /** Registers the loop's timers, meters and gauges in {@code registry}. */
  public LoopMetrics(MetricRegistry registry) {
    this.registry = registry;
    this.decision = registry.timer("gpupool.scheduling.decision");
    this.commit = registry.timer("gpupool.store.commit");
    this.submits = registry.meter("gpupool.submits");
    this.placements = registry.meter("gpupool.placements");
    this.heartbeats = registry.meter("gpupool.heartbeats");
    Gauge<Integer> connected = () -> counts.connectedAgents();
    registry.register("gpupool.agents.connected", connected);
  }

  /** Metrics into a registry no one reads, for loops run without a controller (tests, tools). */
  static LoopMetrics unread() {
    return new LoopMetrics(new MetricRegistry());
  }

  /** Counts what the gauges show: O(active tasks + nodes), once per pass. */
  void publish(ClusterState state) {
    Map<String, Integer> queued = new HashMap<>();
    Map<String, Integer> byState = new HashMap<>();
    for (TaskEntry task : state.activeTasks()) {
      String name = stateName(task.state());
      byState.merge(name, 1, Integer::sum);
      if (task.state() == TaskState.TASK_STATE_PENDING) {
        queued.merge(tenant(task), 1, Integer::sum);
      }
    }
    int connected = 0;
    for (NodeEntry node : state.nodes()) {
      connected += node.isConnected() ? 1 : 0;
    }
    Counts next = new Counts(Map.copyOf(queued), Map.copyOf(byState), connected);
    counts = next;
    // A gauge stays once its tenant or state was seen, and reads 0 while it has no task.
    next.queued().keySet().forEach(t -> gauge("gpupool.queue.length." + t, c -> c.queued(), t));
    next.byState().keySet().forEach(s -> gauge("gpupool.tasks." + s, c -> c.byState(), s));
  }

  private void gauge(String name, Function<Counts, Map<String, Integer>> of, String key) {
    if (gauges.add(name)) {
      Gauge<Integer> gauge = () -> of.apply(counts).getOrDefault(key, 0);
      registry.register(name, gauge);
    }
  }

  private static String tenant(TaskEntry task) {
    String tenant = task.task().getSpec().getTenant();
    return tenant.isEmpty() ? "default" : tenant.replace('.', '_');
  }

  /** {@code TASK_STATE_RUNNING} reads {@code running}. */
  private static String stateName(TaskState state) {
    return state.name().replaceFirst("^TASK_STATE_", "").toLowerCase(Locale.ROOT);
  }

  /** What the loop's gauges read; replaced whole after each pass. */
  private record Counts(
      Map<String, Integer> queued, Map<String, Integer> byState, int connectedAgents) {}
}
