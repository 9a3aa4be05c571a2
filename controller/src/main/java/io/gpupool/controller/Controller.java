package io.gpupool.controller;

import io.gpupool.controller.api.AgentServiceImpl;
import io.gpupool.controller.api.SchedulerServiceImpl;
import io.gpupool.controller.core.Policies;
import io.gpupool.controller.http.HttpEndpoint;
import io.gpupool.controller.loop.LoopSettings;
import io.gpupool.controller.loop.LoopThread;
import io.gpupool.controller.loop.NodeDirectory;
import io.gpupool.controller.loop.SchedulerLoop;
import io.gpupool.controller.store.JdbcStore;
import io.gpupool.controller.store.Store;
import io.gpupool.controller.watch.TaskEventBus;
import io.gpupool.proto.v1.AgentServiceGrpc;
import io.gpupool.proto.v1.SchedulerServiceGrpc;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running controller: store, scheduling loop, gRPC server (scheduler and agent services, gRPC
 * health, server reflection) and the HTTP endpoint.
 *
 * <p>Thread-safe. {@link #close()} stops accepting calls, stops the loop and closes the store;
 * agents keep their tasks running and reconnect when a controller is back.
 */
public final class Controller implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Controller.class);

  private final Store store;
  private final LoopThread loopThread;
  private final Server server;
  private final HealthStatusManager health;
  private final HttpEndpoint http;
  private final AtomicBoolean closed = new AtomicBoolean();

  private Controller(
      Store store,
      LoopThread loopThread,
      Server server,
      HealthStatusManager health,
      HttpEndpoint http) {
    this.store = store;
    this.loopThread = loopThread;
    this.server = server;
    this.health = health;
    this.http = http;
  }

  /**
   * Opens the store in the data dir, restores the state, and starts serving.
   *
   * @throws IOException if a port cannot be bound or the data dir cannot be created
   */
  public static Controller start(ControllerConfig config) throws IOException {
    Files.createDirectories(config.dataDir());
    Store store =
        config.store() == null
            ? JdbcStore.openH2(config.dataDir())
            : JdbcStore.open(config.store(), config.storeUser(), config.storePassword());
    TaskEventBus bus = new TaskEventBus();
    NodeDirectory nodes = new NodeDirectory();
    SchedulerLoop loop =
        new SchedulerLoop(
            config.clock(),
            store,
            Policies.create(
                config.scheduler().getPolicy(), SchedulerConfigs.tuning(config.scheduler())),
            bus,
            nodes,
            new LoopSettings(
                config.heartbeatTimeout(),
                SchedulerConfigs.preemptionNotice(config.scheduler()),
                config.nodeLostAfter(),
                LoopSettings.DEFAULTS.maxLostRequeues()));
    LoopThread loopThread = new LoopThread(loop, Duration.ofSeconds(1));
    loopThread.start();

    HealthStatusManager health = new HealthStatusManager();
    Server server;
    try {
      server =
          NettyServerBuilder.forAddress(new InetSocketAddress(config.host(), config.grpcPort()))
              .addService(new SchedulerServiceImpl(loop, store, bus, nodes, config.scheduler()))
              .addService(
                  new AgentServiceImpl(loop, config.joinToken(), config.heartbeatInterval()))
              .addService(health.getHealthService())
              .addService(ProtoReflectionServiceV1.newInstance())
              .addService(reflectionV1Alpha())
              .permitKeepAliveTime(10, TimeUnit.SECONDS)
              .permitKeepAliveWithoutCalls(true)
              .build()
              .start();
    } catch (IOException | RuntimeException e) {
      loopThread.close();
      store.close();
      throw e;
    }
    health.setStatus("", ServingStatus.SERVING);
    health.setStatus(SchedulerServiceGrpc.SERVICE_NAME, ServingStatus.SERVING);
    health.setStatus(AgentServiceGrpc.SERVICE_NAME, ServingStatus.SERVING);

    HttpEndpoint http = null;
    if (config.httpPort() >= 0) {
      try {
        http = HttpEndpoint.start(config.host(), config.httpPort(), () -> !server.isShutdown());
      } catch (IOException | UncheckedIOException e) {
        server.shutdownNow();
        loopThread.close();
        store.close();
        throw e;
      }
    }
    log.info(
        "controller serving gRPC on {}:{}{}, state in {}, scheduling policy {}",
        config.host(),
        server.getPort(),
        http == null ? "" : " and HTTP on port " + http.port(),
        config.store() == null ? config.dataDir() : redacted(config.store()),
        config.scheduler().getPolicy());
    return new Controller(store, loopThread, server, health, http);
  }

  /** A JDBC URL without a password it may carry, for logs. */
  static String redacted(String jdbcUrl) {
    return jdbcUrl.replaceAll("(?i)(password=)[^&;]*", "$1***");
  }

  /** grpcurl before 1.8.8 and some tools only speak the older reflection protocol. */
  @SuppressWarnings("deprecation")
  private static io.grpc.BindableService reflectionV1Alpha() {
    return ProtoReflectionService.newInstance();
  }

  /** The bound gRPC port. */
  public int grpcPort() {
    return server.getPort();
  }

  /** The bound HTTP port, or -1 when HTTP is disabled. */
  public int httpPort() {
    return http == null ? -1 : http.port();
  }

  /** Blocks until the controller is closed. */
  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  /** Stops the controller; calling it again does nothing. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    health.enterTerminalState();
    if (http != null) {
      http.close();
    }
    server.shutdown();
    try {
      if (!server.awaitTermination(2, TimeUnit.SECONDS)) {
        server.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.shutdownNow();
    }
    loopThread.close();
    store.close();
  }
}
