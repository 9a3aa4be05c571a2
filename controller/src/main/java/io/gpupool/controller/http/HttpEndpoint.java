package io.gpupool.controller.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Serves {@code GET /healthz}: 200 "ok" while the controller serves gRPC, 503 with the reason
 * ("starting", "standby", "unavailable") otherwise (see {@link ServingState}); the dashboard's
 * static files ({@link DashboardFiles}) at {@code /}; and what is {@linkplain #route routed} once
 * the controller serves. Thread-safe.
 */
public final class HttpEndpoint implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService handlers;

  private HttpEndpoint(HttpServer server, ExecutorService handlers) {
    this.server = server;
    this.handlers = handlers;
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
    server.createContext("/", new DashboardFiles());
    // A few threads, so that a dashboard call waiting on the store never holds up /healthz.
    AtomicInteger threads = new AtomicInteger();
    ExecutorService handlers =
        Executors.newFixedThreadPool(
            4,
            task -> {
              Thread thread = new Thread(task, "gpupool-http-" + threads.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
    server.setExecutor(handlers);
    server.start();
    return new HttpEndpoint(server, handlers);
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

  /** The bound port. */
  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    handlers.shutdownNow();
  }
}
