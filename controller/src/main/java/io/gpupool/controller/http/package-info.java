/**
 * The controller's HTTP endpoint (JDK HTTP server): {@code /healthz} for process supervisors and
 * load balancers, {@code /metrics} for Prometheus. Depends on the JDK and, for {@code /metrics}, on
 * {@code io.gpupool.controller.metrics}.
 */
package io.gpupool.controller.http;
