package io.gpupool.agent;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.jmx.JmxReporter;
import java.util.function.IntSupplier;

/**
 * One agent's metrics, exported over JMX (domain {@code gpupool.agent}) while open: the running
 * tasks gauge registered here, and what the session records into {@link #registry()} (sampling
 * cost, heartbeats sent).
 *
 * <p>Thread-safe. Several agents in one JVM (tests) share the JMX names: the first one's MBeans
 * stay there.
 */
final class AgentMetrics implements AutoCloseable {
  /** The JMX domain of the agent's MBeans. */
  static final String JMX_DOMAIN = "gpupool.agent";

  private final MetricRegistry registry = new MetricRegistry();
  private final JmxReporter jmx;

  /** Registers the running tasks gauge and starts the JMX export. */
  AgentMetrics(IntSupplier runningTasks) {
    Gauge<Integer> running = runningTasks::getAsInt;
    registry.register("gpupool.agent.tasks.running", running);
    jmx = JmxReporter.forRegistry(registry).inDomain(JMX_DOMAIN).build();
    jmx.start();
  }

  MetricRegistry registry() {
    return registry;
  }

  @Override
  public void close() {
    jmx.close();
  }
}
