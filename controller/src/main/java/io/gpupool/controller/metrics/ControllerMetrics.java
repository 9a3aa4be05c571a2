package io.gpupool.controller.metrics;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.jmx.JmxReporter;
import io.gpupool.controller.loop.LoopMetrics;
import io.gpupool.controller.loop.NodeDirectory;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.dropwizard.DropwizardExports;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One controller's metrics: its Dropwizard registry, the loop's metrics and the per-GPU gauges in
 * it, exported over JMX (domain {@code gpupool}) while open and in the Prometheus text format on
 * demand ({@link #writePrometheus}), through the Prometheus Dropwizard bridge.
 *
 * <p>Thread-safe. {@link #close()} unregisters the MBeans. Several controllers in one JVM (tests)
 * share the JMX names: the first one's MBeans stay; the others are not registered there.
 */
public final class ControllerMetrics implements AutoCloseable {
  /** The JMX domain of the controller's MBeans. */
  public static final String JMX_DOMAIN = "gpupool";

  private final MetricRegistry registry = new MetricRegistry();
  private final LoopMetrics loop = new LoopMetrics(registry);
  private final GpuGauges gpus;
  private final PrometheusRegistry prometheus = new PrometheusRegistry();
  private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
  private final JmxReporter jmx;
  private final ScheduledExecutorService refresher =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread thread = new Thread(r, "gpupool-metrics-gpus");
            thread.setDaemon(true);
            return thread;
          });

  /** Starts the JMX export; GPU gauges follow what {@code directory} shows. */
  public ControllerMetrics(NodeDirectory directory) {
    this.gpus = new GpuGauges(registry, directory);
    DropwizardExports.builder()
        .dropwizardRegistry(registry)
        .metricFilter((name, metric) -> !MetricNames.isLabelled(name))
        .register(prometheus);
    prometheus.register(
        new LabelledGauges(
            registry, (name, metric) -> MetricNames.isLabelled(name), MetricNames.labelMapper()));
    this.jmx = JmxReporter.forRegistry(registry).inDomain(JMX_DOMAIN).build();
    jmx.start();
    // JMX reads only what is registered; a scrape refreshes too, this covers JMX-only operators.
    refresher.scheduleWithFixedDelay(gpus::refresh, 10, 10, TimeUnit.SECONDS);
  }

  /** The registry, for code that records more metrics. */
  public MetricRegistry registry() {
    return registry;
  }

  /** What the scheduling loop records into. */
  public LoopMetrics loop() {
    return loop;
  }

  /** The Content-Type of {@link #writePrometheus}. */
  public String prometheusContentType() {
    return writer.getContentType();
  }

  /** Writes every metric in the Prometheus text format (0.0.4). */
  public void writePrometheus(OutputStream out) throws IOException {
    gpus.refresh();
    writer.write(out, prometheus.scrape());
  }

  @Override
  public void close() {
    refresher.shutdownNow();
    jmx.close();
  }
}
