package io.gpupool.controller.metrics;

import com.codahale.metrics.MetricFilter;
import com.codahale.metrics.MetricRegistry;
import io.prometheus.metrics.instrumentation.dropwizard.DropwizardExports;
import io.prometheus.metrics.instrumentation.dropwizard5.labels.CustomLabelMapper;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The labelled gauges ({@link MetricNames}), converted by the Prometheus Dropwizard bridge one at a
 * time and merged into one metric per name. The bridge (1.4.3) converts a whole registry into one
 * snapshot per Dropwizard metric and refuses two with the same name, which its own label mapper
 * makes of {@code gpupool.tasks.pending} and {@code gpupool.tasks.running} (prometheus/client_java
 * issue 1712). Costs one tiny registry per gauge and scrape.
 *
 * <p>Thread-safe when the registry is.
 */
final class LabelledGauges implements MultiCollector {
  private final MetricRegistry registry;
  private final MetricFilter labelled;
  private final CustomLabelMapper mapper;

  LabelledGauges(MetricRegistry registry, MetricFilter labelled, CustomLabelMapper mapper) {
    this.registry = registry;
    this.labelled = labelled;
    this.mapper = mapper;
  }

  @Override
  public MetricSnapshots collect() {
    Map<String, List<GaugeDataPointSnapshot>> byName = new TreeMap<>();
    registry
        .getGauges(labelled)
        .forEach(
            (name, gauge) -> {
              MetricRegistry alone = new MetricRegistry();
              alone.register(name, gauge);
              for (MetricSnapshot one :
                  new DropwizardExports(alone, MetricFilter.ALL, mapper).collect()) {
                if (one instanceof GaugeSnapshot g) {
                  byName
                      .computeIfAbsent(g.getMetadata().getName(), n -> new ArrayList<>())
                      .addAll(g.getDataPoints());
                }
              }
            });
    MetricSnapshots.Builder merged = MetricSnapshots.builder();
    byName.forEach(
        (name, points) ->
            merged.metricSnapshot(new GaugeSnapshot(new MetricMetadata(name), points)));
    return merged.build();
  }
}
