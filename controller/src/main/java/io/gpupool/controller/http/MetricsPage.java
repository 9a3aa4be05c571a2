package io.gpupool.controller.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.gpupool.controller.metrics.ControllerMetrics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * {@code GET /metrics}: the controller's metrics in the Prometheus text format. Open without a
 * token even with authentication on, as Prometheus scrapes usually are: metrics carry counts,
 * timings, node ids and tenant names, no task data (see docs/ARCHITECTURE.md). Thread-safe.
 */
public final class MetricsPage implements HttpHandler {
  private final ControllerMetrics metrics;

  public MetricsPage(ControllerMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!exchange.getRequestMethod().equals("GET")
          && !exchange.getRequestMethod().equals("HEAD")) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      metrics.writePrometheus(body);
      exchange.getResponseHeaders().set("Content-Type", metrics.prometheusContentType());
      boolean head = exchange.getRequestMethod().equals("HEAD");
      exchange.sendResponseHeaders(200, head ? -1 : body.size());
      if (!head) {
        try (OutputStream out = exchange.getResponseBody()) {
          body.writeTo(out);
        }
      }
    }
  }
}
