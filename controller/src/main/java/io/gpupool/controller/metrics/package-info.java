/**
 * The controller's metrics: the names, the per-GPU gauges over the latest telemetry, and their
 * export in the Prometheus text format (through the Prometheus Dropwizard bridge) and over JMX.
 *
 * <p>The instrumented code (loop, API) records into the Dropwizard {@code MetricRegistry} it is
 * given; this package may depend on {@code loop} (for {@code NodeDirectory}) and the libraries, and
 * nothing in the controller depends on it except {@code Controller} and {@code http}.
 */
package io.gpupool.controller.metrics;
