package io.gpupool.controller.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Serves the dashboard's static files from the classpath ({@code /dashboard/}): {@code index.html}
 * at {@code /} and {@code /task}, {@code app.js} and {@code style.css} at their names; 404 for
 * anything else. The files hold no data, so they are served without a token; the data comes from
 * {@link DashboardApi}. Stateless and thread-safe.
 */
final class DashboardFiles implements HttpHandler {
  private static final Map<String, Asset> ASSETS =
      Map.of(
          "/", new Asset("index.html", "text/html; charset=utf-8"),
          "/task", new Asset("index.html", "text/html; charset=utf-8"),
          "/app.js", new Asset("app.js", "text/javascript; charset=utf-8"),
          "/style.css", new Asset("style.css", "text/css; charset=utf-8"));

  private record Asset(String file, String contentType) {}

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      Asset asset = ASSETS.get(exchange.getRequestURI().getPath());
      String method = exchange.getRequestMethod();
      if (asset == null || !(method.equals("GET") || method.equals("HEAD"))) {
        byte[] body = "not found\n".getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(404, body.length);
        exchange.getResponseBody().write(body);
        return;
      }
      byte[] body;
      try (InputStream in =
          DashboardFiles.class.getResourceAsStream("/dashboard/" + asset.file())) {
        if (in == null) {
          throw new IOException("dashboard/" + asset.file() + " is missing from the classpath");
        }
        body = in.readAllBytes();
      }
      exchange.getResponseHeaders().set("Content-Type", asset.contentType());
      exchange.getResponseHeaders().set("Cache-Control", "no-cache");
      exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
      if (method.equals("HEAD")) {
        exchange.sendResponseHeaders(200, -1);
        return;
      }
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }
}
