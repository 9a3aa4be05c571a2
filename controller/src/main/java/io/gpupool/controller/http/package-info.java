/**
 * The controller's HTTP endpoint (JDK HTTP server): {@code /healthz} for process supervisors and
 * load balancers, {@code /metrics} for Prometheus, and the dashboard: its static files (resources
 * under {@code /dashboard/}) and the read-only JSON API behind them ({@code /api/v1/}). Depends on
 * the JDK, protobuf-java-util, the proto messages, and the controller's read-only views: the node
 * directory, the store and the token registry with its principals; for {@code /metrics}, {@code
 * io.gpupool.controller.metrics}.
 */
package io.gpupool.controller.http;
