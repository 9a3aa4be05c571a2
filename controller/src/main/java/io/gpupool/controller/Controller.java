package io.gpupool.controller;

import static io.gpupool.controller.api.MalformedRequests.refused;

import io.gpupool.controller.api.AdminServiceImpl;
import io.gpupool.controller.api.AgentServiceImpl;
import io.gpupool.controller.api.SchedulerServiceImpl;
import io.gpupool.controller.auth.AccessPolicy;
import io.gpupool.controller.auth.AdminTokenFile;
import io.gpupool.controller.auth.AuditLog;
import io.gpupool.controller.auth.AuthInterceptor;
import io.gpupool.controller.auth.RateLimiter;
import io.gpupool.controller.auth.TokenRegistry;
import io.gpupool.controller.core.Policies;
import io.gpupool.controller.ha.DataDirLock;
import io.gpupool.controller.ha.LeaderElection;
import io.gpupool.controller.ha.Leadership;
import io.gpupool.controller.ha.LeadershipWatchdog;
import io.gpupool.controller.http.DashboardApi;
import io.gpupool.controller.http.HttpEndpoint;
import io.gpupool.controller.http.MetricsPage;
import io.gpupool.controller.http.ServingState;
import io.gpupool.controller.loop.LoopSettings;
import io.gpupool.controller.loop.LoopThread;
import io.gpupool.controller.loop.NodeDirectory;
import io.gpupool.controller.loop.SchedulerLoop;
import io.gpupool.controller.metrics.ControllerMetrics;
import io.gpupool.controller.store.JdbcStore;
import io.gpupool.controller.store.LeadershipLostException;
import io.gpupool.controller.tls.ServerTlsCredentials;
import io.gpupool.controller.watch.TaskEventBus;
import io.gpupool.proto.v1.AdminServiceGrpc;
import io.gpupool.proto.v1.AgentServiceGrpc;
import io.gpupool.proto.v1.Role;
import io.gpupool.proto.v1.SchedulerServiceGrpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running controller: store, scheduling loop, gRPC server (scheduler, admin and agent services,
 * gRPC health, server reflection) and the HTTP endpoint.
 *
 * <p>Every gRPC call passes the {@link AuthInterceptor} first: with authentication on (the default)
 * it needs a bearer token whose role the {@link AccessPolicy} allows. When the store holds no
 * active admin token, the serving controller (on PostgreSQL: the leader) creates one and writes its
 * secret to {@code DATA_DIR/admin.token}.
 *
 * <p>On a PostgreSQL store several controllers may run; one leads (see {@code
 * io.gpupool.controller.ha}). {@link #start} blocks while this one is a standby: its HTTP endpoint
 * answers {@code /healthz} with 503 {@code standby}, and it does not bind its gRPC port, so clients
 * and agents given several addresses reach the leader. Once it leads, it loads the state and
 * serves; when it loses the lead (its lock connection fails, or a commit finds a newer leader) it
 * stops serving at once and completes {@link #lostLeadership()}. On embedded H2 nothing is elected
 * and a second controller on the same data dir fails to start.
 *
 * <p>Thread-safe. {@link #close()} stops accepting calls, stops the loop, closes the store and
 * gives up the lead; agents keep their tasks running and reconnect when a controller is back.
 */
public final class Controller implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Controller.class);

  /** How often a leader checks the connection that holds its lock. */
  static final Duration LEADERSHIP_CHECK_INTERVAL = Duration.ofSeconds(1);

  private final Resources resources;
  private final LoopThread loopThread;
  private final Server server;
  private final HealthStatusManager health;
  private final HttpEndpoint http;
  private final AtomicReference<ServingState> state;
  private final Leadership leadership;
  private final CompletableFuture<LeadershipLostException> lostLeadership =
      new CompletableFuture<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final LeadershipWatchdog watchdog;
  private final TokenRegistry tokens;

  private Controller(
      Resources resources,
      TokenRegistry tokens,
      SchedulerLoop loop,
      LoopThread loopThread,
      Server server,
      HealthStatusManager health,
      HttpEndpoint http,
      AtomicReference<ServingState> state,
      Leadership leadership) {
    this.resources = resources;
    this.tokens = tokens;
    this.loopThread = loopThread;
    this.server = server;
    this.health = health;
    this.http = http;
    this.state = state;
    this.leadership = leadership;
    if (leadership == null) {
      this.watchdog = null;
    } else {
      // Last: the watchdog's thread sees every field written above.
      this.watchdog = LeadershipWatchdog.start(leadership, LEADERSHIP_CHECK_INTERVAL, this::lose);
      loop.fenced().thenAccept(watchdog::report);
    }
  }

  /**
   * Opens the store, leads it (on PostgreSQL: waits as a standby while another controller leads),
   * restores the state, and starts serving.
   *
   * @throws io.gpupool.controller.ha.DataDirInUseException if another controller uses the data dir
   *     of an embedded store
   * @throws InterruptedIOException if the thread is interrupted while this controller is a standby
   * @throws IOException if a port cannot be bound or the data dir cannot be created
   * @throws IllegalArgumentException if a TLS file is unreadable, malformed, expired or does not
   *     match its partner; the message names the flag and the file, and nothing was opened yet
   */
  public static Controller start(ControllerConfig config) throws IOException {
    ServerTlsCredentials tls =
        config.tls() == null
            ? null
            : ServerTlsCredentials.load(config.tls(), config.clock().instant());
    ServerCredentials credentials =
        tls == null ? InsecureServerCredentials.create() : tls.credentials();
    Files.createDirectories(config.dataDir());
    Resources resources = new Resources();
    try {
      if (config.store() == null) {
        resources.add(DataDirLock.acquire(config.dataDir()));
      }
      JdbcStore store =
          resources.add(
              config.store() == null
                  ? JdbcStore.openH2(config.dataDir())
                  : JdbcStore.open(config.store(), config.storeUser(), config.storePassword()));
      boolean elected = JdbcStore.isPostgres(config.store());
      AtomicReference<ServingState> state =
          new AtomicReference<>(elected ? ServingState.STANDBY : ServingState.STARTING);
      HttpEndpoint http =
          config.httpPort() < 0
              ? null
              : resources.add(HttpEndpoint.start(config.host(), config.httpPort(), state::get));
      Leadership leadership = null;
      if (elected) {
        leadership = resources.add(lead(config, store));
        state.set(ServingState.STARTING);
      }
      TokenRegistry tokens = TokenRegistry.load(store.tokens(), config.clock());
      // Before the loop, so that it closes after the loop: the loop's last replies are audited.
      AuditLog audit = resources.add(AuditLog.start(store.audit(), config.clock()));
      AuthInterceptor access = access(config, tokens, audit);
      TaskEventBus bus = new TaskEventBus();
      NodeDirectory nodes = new NodeDirectory();
      ControllerMetrics metrics = resources.add(new ControllerMetrics(nodes));
      if (http != null) {
        http.route("/metrics", new MetricsPage(metrics));
        http.route(
            "/api/v1/", new DashboardApi(nodes, store, config.authentication() ? tokens : null));
      }
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
                  LoopSettings.DEFAULTS.maxLostRequeues(),
                  SchedulerConfigs.idleUtilizationPercent(config.scheduler())),
              metrics.loop());
      LoopThread loopThread = resources.add(new LoopThread(loop, Duration.ofSeconds(1)));
      loopThread.start();

      HealthStatusManager health = new HealthStatusManager();
      Server server =
          NettyServerBuilder.forAddress(
                  new InetSocketAddress(config.host(), config.grpcPort()), credentials)
              .intercept(access)
              .addService(
                  refused(new SchedulerServiceImpl(loop, store, bus, nodes, config.scheduler())))
              .addService(refused(new AdminServiceImpl(tokens, audit)))
              .addService(
                  refused(
                      new AgentServiceImpl(
                          loop, config.joinToken(), tokens, config.heartbeatInterval())))
              .addService(health.getHealthService())
              .addService(ProtoReflectionServiceV1.newInstance())
              .addService(reflectionV1Alpha())
              .permitKeepAliveTime(10, TimeUnit.SECONDS)
              .permitKeepAliveWithoutCalls(true)
              .maxInboundMessageSize(io.gpupool.controller.limits.Limits.MAX_MESSAGE_BYTES)
              .build()
              .start();
      resources.add(server::shutdownNow);
      health.setStatus("", ServingStatus.SERVING);
      health.setStatus(SchedulerServiceGrpc.SERVICE_NAME, ServingStatus.SERVING);
      health.setStatus(AgentServiceGrpc.SERVICE_NAME, ServingStatus.SERVING);
      health.setStatus(AdminServiceGrpc.SERVICE_NAME, ServingStatus.SERVING);
      state.set(ServingState.SERVING);
      if (tls == null) {
        logPlaintext(config.host(), server.getPort());
      }
      log.info(
          "controller serving gRPC ({}) on {}:{}{}, state in {}{}, scheduling policy {}",
          tls == null ? "plaintext" : tls.summary(),
          config.host(),
          server.getPort(),
          http == null ? "" : " and HTTP on port " + http.port(),
          config.store() == null ? config.dataDir() : redacted(config.store()),
          leadership == null ? "" : " (leader epoch " + leadership.epoch() + ")",
          config.scheduler().getPolicy());
      return new Controller(
          resources, tokens, loop, loopThread, server, health, http, state, leadership);
    } catch (IOException | RuntimeException e) {
      resources.closeAll();
      throw e;
    } catch (InterruptedException e) {
      resources.closeAll();
      Thread.currentThread().interrupt();
      InterruptedIOException interrupted =
          new InterruptedIOException("interrupted while waiting to lead the PostgreSQL store");
      interrupted.initCause(e);
      throw interrupted;
    }
  }

  /**
   * Plaintext on loopback is what {@code gpupool dev} does: only this machine can connect. Anywhere
   * else it is an open door, which an operator chose with {@code --insecure}; say so loudly.
   */
  private static void logPlaintext(String host, int port) {
    if (isLoopback(host)) {
      log.info(
          "serving plaintext gRPC on loopback ({}:{}): only processes on this machine can connect",
          host,
          port);
    } else {
      log.warn(
          "serving plaintext gRPC on {}:{} (--insecure): anyone on the network can submit tasks,"
              + " read their output and register agents; serve TLS with --tls-cert and --tls-key",
          host,
          port);
    }
  }

  private static boolean isLoopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /**
   * The gate of every call. With authentication on, first makes sure an admin can get in (see
   * {@link AdminTokenFile}); this runs after the lead is won, so only the leader of a shared store
   * creates the first admin token.
   */
  private static AuthInterceptor access(
      ControllerConfig config, TokenRegistry tokens, AuditLog audit) throws IOException {
    if (!config.authentication()) {
      log.warn(
          "authentication is OFF: every caller acts as admin, across tenants; turn it on for"
              + " anything but a test");
      return AuthInterceptor.permissive(AccessPolicy.gpupool(), audit);
    }
    AdminTokenFile.bootstrap(tokens, config.dataDir());
    RateLimiter limiter =
        config.rateLimit() == 0 ? null : new RateLimiter(config.rateLimit(), config.clock());
    return AuthInterceptor.enforcing(AccessPolicy.gpupool(), tokens, limiter, audit);
  }

  /** Waits as a standby until this controller leads the store, then fences the store's commits. */
  private static Leadership lead(ControllerConfig config, JdbcStore store)
      throws InterruptedException {
    String holder = ProcessHandle.current().pid() + "@" + hostName();
    String address =
        config.advertiseAddress() != null
            ? config.advertiseAddress()
            : advertisedHost(config.host()) + ":" + config.grpcPort();
    Leadership leadership;
    try (LeaderElection election =
        new LeaderElection(
            config.store(),
            config.storeUser(),
            config.storePassword(),
            config.standbyPollInterval())) {
      leadership = election.awaitLeadership(holder, address);
    }
    store.requireLeaderEpoch(leadership.epoch());
    log.info(
        "leading the PostgreSQL store as epoch {} ({}, advertised {}){}",
        leadership.epoch(),
        holder,
        address,
        leadership.previous().isSet()
            ? "; took over from " + leadership.previous().describe()
            : "");
    return leadership;
  }

  private static String advertisedHost(String host) {
    if (host.isEmpty() || host.equals("0.0.0.0") || host.equals("::")) {
      return hostName();
    }
    return host.contains(":") ? "[" + host + "]" : host;
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
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

  /** Runs on the watchdog's thread, once: stop serving, then tell whoever waits. */
  private void lose(LeadershipLostException why) {
    if (closed.get()) {
      return; // closing gave up the lock; nothing was lost
    }
    log.error("lost leadership of the PostgreSQL store: {}; stopped serving", why.getMessage());
    stopHealth();
    server.shutdownNow();
    lostLeadership.complete(why);
    loopThread.close();
    leadership.close();
  }

  /** /healthz and gRPC health say NOT_SERVING from now on. */
  private void stopHealth() {
    if (state.getAndSet(ServingState.STOPPED) != ServingState.STOPPED) {
      health.enterTerminalState();
    }
  }

  /**
   * Creates a token without going through the API, for code that runs this controller in its own
   * process ({@code gpupool dev}, benchmarks, tests), and returns its secret. The token never
   * expires; its creator shows as {@code embedder}.
   *
   * @param tenant required for users and viewers, empty for admins and agents
   * @throws IllegalArgumentException when the tenant does not fit the role
   */
  public String createToken(Role role, String tenant, String description) {
    if (role == Role.ROLE_UNSPECIFIED || role == Role.UNRECOGNIZED) {
      throw new IllegalArgumentException("a token needs a role, got " + role);
    }
    boolean tenantRequired = role == Role.ROLE_USER || role == Role.ROLE_VIEWER;
    if (tenantRequired == tenant.isEmpty()) {
      throw new IllegalArgumentException(
          "a " + role + " token needs " + (tenantRequired ? "a" : "no") + " tenant");
    }
    return tokens.create(role, tenant, description, null, "embedder").secret();
  }

  /** The bound gRPC port. */
  public int grpcPort() {
    return server.getPort();
  }

  /** The bound HTTP port, or -1 when HTTP is disabled. */
  public int httpPort() {
    return http == null ? -1 : http.port();
  }

  /** The epoch this controller leads its PostgreSQL store as; empty on a store without election. */
  public OptionalLong leaderEpoch() {
    return leadership == null ? OptionalLong.empty() : OptionalLong.of(leadership.epoch());
  }

  /**
   * Completes, with the reason, once this controller lost the lead of its PostgreSQL store and
   * stopped serving (its gRPC server is shut down by then). The process should exit and be
   * restarted, to come back as a standby. Never completes on H2, nor after {@link #close()}.
   * Completing or cancelling the returned future affects no one else.
   */
  public CompletableFuture<LeadershipLostException> lostLeadership() {
    return lostLeadership.copy();
  }

  /** Blocks until the controller is closed or has lost the lead. */
  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  /** Stops the controller; calling it again does nothing. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (watchdog != null) {
      watchdog.close();
    }
    stopHealth();
    server.shutdown();
    try {
      if (!server.awaitTermination(2, TimeUnit.SECONDS)) {
        server.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.shutdownNow();
    }
    // The loop's last commit is done before the store closes and before the lock is released.
    resources.closeAll();
  }

  /**
   * What a starting controller opened, closed in reverse order when the start fails or the
   * controller closes: the data-dir lock, the store, HTTP, the lead, the audit log, the loop, the
   * gRPC server.
   */
  private static final class Resources {
    private final Deque<AutoCloseable> opened = new ArrayDeque<>();

    <T extends AutoCloseable> T add(T resource) {
      synchronized (opened) {
        opened.push(resource);
      }
      return resource;
    }

    void closeAll() {
      while (true) {
        AutoCloseable next;
        synchronized (opened) {
          next = opened.poll();
        }
        if (next == null) {
          return;
        }
        try {
          next.close();
        } catch (Exception e) {
          log.warn("closing {} failed", next, e);
        }
      }
    }
  }
}
