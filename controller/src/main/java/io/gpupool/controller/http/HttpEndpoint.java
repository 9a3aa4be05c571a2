package io.gpupool.controller.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * Serves {@code GET /healthz}: 200 "ok" while the controller serves gRPC, 503 with the reason
 * ("starting", "standby", "unavailable") otherwise; see {@link ServingState}. Thread-safe.
 */
public final class HttpEndpoint implements AutoCloseable {
  private final HttpServer server;

  private HttpEndpoint(HttpServer server) {
    this.server = server;
  }

  /** Starts listening; {@code port} 0 picks a free port. */
  public static HttpEndpoint start(String host, int port, Supplier<ServingState> state)
      throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 0);
    server.createContext(
        "/healthz",
        exchange -> {
          ServingState now = state.get();
          respond(exchange, now.httpStatus(), now.body() + "\n");
        });
    server.createContext("/", exchange -> respond(exchange, 404, "not found\n"));
    server.start();
    return new HttpEndpoint(server);
  }

  private static void respond(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /**
   * Serves {@code path} and everything under it with {@code handler}, from now on: for what needs
   * the store, which opens after this endpoint.
   */
  public void route(String path, HttpHandler handler) {
    server.createContext(path, handler);
  }

  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
