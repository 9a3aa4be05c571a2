package io.gpupool.controller;

import io.gpupool.controller.tls.ServerTls;
import io.gpupool.proto.v1.SchedulerConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * How to run a controller. Immutable; build with {@link #builder()}, which validates.
 *
 * @param host address to listen on ({@code 0.0.0.0} for all interfaces)
 * @param grpcPort gRPC port; 0 picks a free one
 * @param httpPort HTTP port for /healthz; 0 picks a free one, -1 disables HTTP
 * @param dataDir directory of the embedded database
 * @param joinToken secret agents must present to register
 * @param heartbeatInterval how often agents are told to heartbeat
 * @param heartbeatTimeout silence after which a node is suspect: its session is closed, it gets no
 *     new work
 * @param clock time source for every decision and timestamp
 * @param nodeLostAfter silence after which a node is lost and its tasks are requeued
 * @param store JDBC URL of the database (e.g. {@code jdbc:postgresql://db/gpupool}); null for the
 *     embedded H2 database in the data dir
 * @param storeUser database user (null when the URL carries it or none is needed)
 * @param storePassword database password (null when none is needed)
 * @param scheduler the scheduling policy and its tuning, complete (see {@link SchedulerConfigs})
 * @param advertiseAddress the gRPC address ({@code HOST:PORT}) others reach this controller at,
 *     recorded as the leader's address on a shared PostgreSQL store; null for {@code host:grpcPort}
 *     (with the host name for a wildcard host; the configured port, so 0 when it picks a free one,
 *     since a standby binds nothing)
 * @param standbyPollInterval how often a standby on a shared PostgreSQL store tries to take the
 *     lead
 * @param tls the files to serve TLS on the gRPC port with; null for plaintext, which needs {@code
 *     insecure}
 * @param insecure serve plaintext gRPC ({@code --insecure}); the controller warns unless it listens
 *     on loopback only
 * @param authentication whether calls need a bearer token (on by default; off only for embedders
 *     and tests that opt out, and then every caller acts as admin)
 * @param rateLimit requests per second each token may make on average (bursts of twice that pass);
 *     0 for no limit
 */
public record ControllerConfig(
    String host,
    int grpcPort,
    int httpPort,
    Path dataDir,
    String joinToken,
    Duration heartbeatInterval,
    Duration heartbeatTimeout,
    Clock clock,
    Duration nodeLostAfter,
    String store,
    String storeUser,
    String storePassword,
    SchedulerConfig scheduler,
    String advertiseAddress,
    Duration standbyPollInterval,
    ServerTls tls,
    boolean insecure,
    boolean authentication,
    int rateLimit) {

  /** Says what to pass when the gRPC port would be neither TLS nor explicitly plaintext. */
  static final String TLS_OR_INSECURE =
      "the gRPC port needs TLS: pass --tls-cert FILE and --tls-key FILE (PEM), or --insecure to"
          + " serve plaintext that anyone on the network can use";

  public ControllerConfig {
    Objects.requireNonNull(dataDir, "data dir is required (--data-dir)");
    if (joinToken == null || joinToken.isBlank()) {
      throw new IllegalArgumentException("a join token is required (--join-token)");
    }
    if (grpcPort < 0 || grpcPort > 65535) {
      throw new IllegalArgumentException("--port must be between 0 and 65535, got " + grpcPort);
    }
    if (httpPort < -1 || httpPort > 65535) {
      throw new IllegalArgumentException(
          "--http-port must be between -1 and 65535, got " + httpPort);
    }
    if (heartbeatInterval.isNegative() || heartbeatInterval.isZero()) {
      throw new IllegalArgumentException("heartbeat interval must be positive");
    }
    scheduler = SchedulerConfigs.effective(scheduler);
    if (store != null && !store.startsWith("jdbc:")) {
      throw new IllegalArgumentException(
          "--store must be a JDBC URL such as jdbc:postgresql://host:5432/gpupool, got '"
              + store
              + "'");
    }
    if (nodeLostAfter.compareTo(heartbeatTimeout) < 0) {
      throw new IllegalArgumentException(
          "--node-lost-after must not be shorter than --node-suspect-after");
    }
    if (heartbeatTimeout.compareTo(heartbeatInterval) <= 0) {
      throw new IllegalArgumentException("heartbeat timeout must be longer than the interval");
    }
    if (advertiseAddress != null && !isHostAndPort(advertiseAddress)) {
      throw new IllegalArgumentException(
          "--advertise-address must be HOST:PORT with a port from 1 to 65535 (e.g."
              + " ctl-1.example.com:7070), got '"
              + advertiseAddress
              + "'");
    }
    if (standbyPollInterval.isNegative() || standbyPollInterval.isZero()) {
      throw new IllegalArgumentException(
          "--standby-poll-interval must be positive, got " + standbyPollInterval);
    }
    if (tls == null && !insecure) {
      throw new IllegalArgumentException(TLS_OR_INSECURE);
    }
    if (tls != null && insecure) {
      throw new IllegalArgumentException(
          "--insecure serves plaintext: leave it out when serving TLS with --tls-cert and"
              + " --tls-key");
    }
    if (rateLimit < 0) {
      throw new IllegalArgumentException(
          "--rate-limit must be 0 (no limit) or more requests per second, got " + rateLimit);
    }
  }

  private static boolean isHostAndPort(String address) {
    int colon = address.lastIndexOf(':');
    if (colon <= 0 || address.chars().anyMatch(Character::isWhitespace)) {
      return false;
    }
    try {
      int port = Integer.parseInt(address.substring(colon + 1));
      return port >= 1 && port <= 65535;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** Requests per second per token by default. */
  public static final int DEFAULT_RATE_LIMIT = 200;

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Builder with defaults: all interfaces, ports 7070/8080, 1 s heartbeats, 10 s timeout,
   * authentication on, {@value #DEFAULT_RATE_LIMIT} requests per second per token; neither TLS nor
   * {@link #insecure} is set, and one of them must be.
   */
  public static final class Builder {
    private String host = "0.0.0.0";
    private int grpcPort = 7070;
    private int httpPort = 8080;
    private Path dataDir;
    private String joinToken;
    private Duration heartbeatInterval = Duration.ofSeconds(1);
    private Duration heartbeatTimeout = Duration.ofSeconds(10);
    private Clock clock = Clock.systemUTC();
    private SchedulerConfig scheduler = SchedulerConfig.getDefaultInstance();
    private Duration nodeLostAfter = Duration.ofSeconds(30);
    private String store;
    private String storeUser;
    private String storePassword;
    private String advertiseAddress;
    private Duration standbyPollInterval = Duration.ofMillis(500);
    private Path tlsCert;
    private Path tlsKey;
    private Path tlsClientCa;
    private boolean insecure;
    private boolean authentication = true;
    private int rateLimit = DEFAULT_RATE_LIMIT;

    public Builder host(String host) {
      this.host = host;
      return this;
    }

    public Builder grpcPort(int port) {
      this.grpcPort = port;
      return this;
    }

    public Builder httpPort(int port) {
      this.httpPort = port;
      return this;
    }

    public Builder dataDir(Path dataDir) {
      this.dataDir = dataDir;
      return this;
    }

    public Builder joinToken(String joinToken) {
      this.joinToken = joinToken;
      return this;
    }

    public Builder heartbeatInterval(Duration interval) {
      this.heartbeatInterval = interval;
      return this;
    }

    public Builder heartbeatTimeout(Duration timeout) {
      this.heartbeatTimeout = timeout;
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    public Builder nodeLostAfter(Duration lostAfter) {
      this.nodeLostAfter = lostAfter;
      return this;
    }

    /** A database to use instead of the embedded H2 one, with its credentials (may be null). */
    public Builder store(String jdbcUrl, String user, String password) {
      this.store = jdbcUrl;
      this.storeUser = user;
      this.storePassword = password;
      return this;
    }

    /** The scheduler configuration; unset fields keep their defaults. */
    public Builder scheduler(SchedulerConfig scheduler) {
      this.scheduler = scheduler;
      return this;
    }

    /** The {@code HOST:PORT} recorded as the leader's address; null for host and gRPC port. */
    public Builder advertiseAddress(String hostAndPort) {
      this.advertiseAddress = hostAndPort;
      return this;
    }

    /** How often a standby tries to take the lead of a shared PostgreSQL store (default 500 ms). */
    public Builder standbyPollInterval(Duration interval) {
      this.standbyPollInterval = interval;
      return this;
    }

    /**
     * Serves TLS on the gRPC port with this PEM certificate chain ({@code --tls-cert}) and its
     * unencrypted PKCS#8 private key ({@code --tls-key}); the files are read at start. Either TLS
     * or {@link #insecure} is required.
     */
    public Builder tls(Path certChain, Path privateKey) {
      this.tlsCert = certChain;
      this.tlsKey = privateKey;
      return this;
    }

    /**
     * Requires every gRPC client to present a certificate signed by a CA in this PEM file ({@code
     * --tls-client-ca}, mutual TLS); null (the default) accepts clients without one. Needs {@link
     * #tls}.
     */
    public Builder tlsClientCa(Path caFile) {
      this.tlsClientCa = caFile;
      return this;
    }

    /** Serves plaintext gRPC instead of TLS ({@code --insecure}); default false. */
    public Builder insecure(boolean insecure) {
      this.insecure = insecure;
      return this;
    }

    /**
     * Whether calls need a bearer token; true by default. False serves every caller as an admin,
     * for embedders and tests that opt out explicitly; the controller logs a warning then.
     */
    public Builder authentication(boolean on) {
      this.authentication = on;
      return this;
    }

    /** Requests per second per token (bursts of twice that pass); 0 for no limit. */
    public Builder rateLimit(int perSecond) {
      this.rateLimit = perSecond;
      return this;
    }

    /** Overrides the policy name of the scheduler configuration. */
    public Builder policy(String policy) {
      this.scheduler = scheduler.toBuilder().setPolicy(policy).build();
      return this;
    }

    public ControllerConfig build() {
      return new ControllerConfig(
          host,
          grpcPort,
          httpPort,
          dataDir,
          joinToken,
          heartbeatInterval,
          heartbeatTimeout,
          clock,
          nodeLostAfter,
          store,
          storeUser,
          storePassword,
          scheduler,
          advertiseAddress,
          standbyPollInterval,
          ServerTls.fromFlags(tlsCert, tlsKey, tlsClientCa),
          insecure,
          authentication,
          rateLimit);
    }
  }
}
