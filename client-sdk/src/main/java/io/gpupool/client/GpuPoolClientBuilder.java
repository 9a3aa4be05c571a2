package io.gpupool.client;

import io.gpupool.client.impl.GrpcGpuPoolClient;
import io.grpc.ManagedChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Configures and builds a {@link GpuPoolClient}. Get one from {@link GpuPoolClient#builder()} or
 * {@link GpuPoolClientOptions#toBuilder()}.
 *
 * <pre>{@code
 * GpuPoolClient client = GpuPoolClient.builder()
 *     .target("gpupool.internal:7070")
 *     .tls(Path.of("/etc/gpupool/ca.pem"))
 *     .token(System.getenv("GPUPOOL_TOKEN"))
 *     .callTimeout(Duration.ofSeconds(10))
 *     .build();
 * }</pre>
 *
 * <p>Setters reject null at once ({@link NullPointerException}); everything else is checked by
 * {@link #build()}. A builder is not thread-safe; it can build several clients.
 */
public final class GpuPoolClientBuilder {
  /** Default of {@link #callTimeout}. */
  public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(30);

  /** Default of {@link #keepAliveTime}. */
  public static final Duration DEFAULT_KEEP_ALIVE_TIME = Duration.ofSeconds(30);

  /** Default of {@link #maxRetries}. */
  public static final int DEFAULT_MAX_RETRIES = 3;

  /** Default of {@link #initialBackoff}. */
  public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(200);

  /** Default of {@link #maxBackoff}. */
  public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(5);

  /** Default of {@link #watchReconnectTimeout}. */
  public static final Duration DEFAULT_WATCH_RECONNECT_TIMEOUT = Duration.ofMinutes(2);

  String target;
  ManagedChannel channel;
  String token;
  Duration callTimeout = DEFAULT_CALL_TIMEOUT;
  Duration keepAliveTime = DEFAULT_KEEP_ALIVE_TIME;
  int maxRetries = DEFAULT_MAX_RETRIES;
  Duration initialBackoff = DEFAULT_INITIAL_BACKOFF;
  Duration maxBackoff = DEFAULT_MAX_BACKOFF;
  Duration watchReconnectTimeout = DEFAULT_WATCH_RECONNECT_TIMEOUT;
  boolean tls;
  Path tlsCaFile;
  Path tlsCertificateChain;
  Path tlsPrivateKey;

  GpuPoolClientBuilder() {}

  /**
   * Sets the controller's address as {@code host:port}, e.g. {@code localhost:7070} or {@code
   * [::1]:7070}, or the addresses of a controller and its standbys, {@code a:7070,b:7070}: the
   * client then talks to whichever of them leads (only the leader listens) and follows a takeover.
   * Required, unless {@link #channel} is given. The connection is plaintext unless {@link #tls} is
   * set.
   */
  public GpuPoolClientBuilder target(String target) {
    this.target = Objects.requireNonNull(target, "target");
    return this;
  }

  /**
   * Uses this channel instead of opening one to a {@link #target}, e.g. an in-process channel in
   * tests, or one configured in ways this builder does not offer. The client does not own it: its
   * {@link GpuPoolClient#close()} leaves the channel open, and {@link #keepAliveTime} does not
   * apply.
   */
  public GpuPoolClientBuilder channel(ManagedChannel channel) {
    this.channel = Objects.requireNonNull(channel, "channel");
    return this;
  }

  /**
   * Talks TLS to the {@link #target}, trusting the CA certificates in {@code caFile} (PEM), e.g.
   * the CA that signed the controller's {@code --tls-cert}. The controller's certificate must name
   * the host of the target (as a subject alternative name); with several controllers, the first one
   * listed, since that name is checked whichever controller the client reaches.
   *
   * <p>The file is read when the options are built and again when the client opens its channel. A
   * handshake that fails (a certificate from another CA, a name mismatch, a controller without TLS)
   * makes calls fail with {@link ErrorCode#UNAVAILABLE} and a message saying so.
   */
  public GpuPoolClientBuilder tls(Path caFile) {
    this.tlsCaFile = Objects.requireNonNull(caFile, "caFile");
    this.tls = true;
    return this;
  }

  /**
   * Talks TLS to the {@link #target}, trusting the JVM's default CAs: for a controller whose
   * certificate comes from a public or company-wide CA already in the trust store.
   */
  public GpuPoolClientBuilder tls() {
    this.tls = true;
    return this;
  }

  /**
   * Presents this client certificate, for a controller that requires one ({@code --tls-client-ca},
   * mutual TLS); implies {@link #tls()}. Both files are PEM; the key must be unencrypted PKCS#8
   * ({@code -----BEGIN PRIVATE KEY-----}).
   */
  public GpuPoolClientBuilder tlsClientCertificate(Path certificateChain, Path privateKey) {
    this.tlsCertificateChain = Objects.requireNonNull(certificateChain, "certificateChain");
    this.tlsPrivateKey = Objects.requireNonNull(privateKey, "privateKey");
    this.tls = true;
    return this;
  }

  /**
   * Sets the bearer token every call presents ({@code authorization: Bearer <token>}), as the
   * controller requires when authentication is on: its {@code DATA_DIR/admin.token}, or a token
   * from {@code gpupool token create}. Calls without a valid one fail with {@link
   * ErrorCode#UNAUTHENTICATED}; calls the token's role may not make, with {@link
   * ErrorCode#PERMISSION_DENIED}. Applies to a given {@link #channel} too. Not set by default. The
   * token is never shown by {@link GpuPoolClientOptions#toString()}.
   */
  public GpuPoolClientBuilder token(String token) {
    this.token = Objects.requireNonNull(token, "token");
    return this;
  }

  /**
   * Sets the time limit of each unary call (submit, get, list, cancel), retries included; the call
   * fails with {@link ErrorCode#DEADLINE_EXCEEDED} after it. Must be positive; 30 s by default.
   * Watches have no time limit.
   */
  public GpuPoolClientBuilder callTimeout(Duration callTimeout) {
    this.callTimeout = Objects.requireNonNull(callTimeout, "callTimeout");
    return this;
  }

  /**
   * Sets how often the client pings the controller while calls are open, to notice a dead
   * connection (and keep idle watch streams alive through proxies). At least 10 s (gRPC's minimum);
   * 30 s by default. The controller must permit pings this frequent.
   */
  public GpuPoolClientBuilder keepAliveTime(Duration keepAliveTime) {
    this.keepAliveTime = Objects.requireNonNull(keepAliveTime, "keepAliveTime");
    return this;
  }

  /**
   * Sets how many times a unary call failing with {@link ErrorCode#UNAVAILABLE} is retried, with
   * backoff, within its {@link #callTimeout}. At least 0; 3 by default.
   */
  public GpuPoolClientBuilder maxRetries(int maxRetries) {
    this.maxRetries = maxRetries;
    return this;
  }

  /**
   * Sets the delay before the first retry or reconnect; it doubles with each further attempt, up to
   * {@link #maxBackoff}, with some jitter. Must be positive; 200 ms by default.
   */
  public GpuPoolClientBuilder initialBackoff(Duration initialBackoff) {
    this.initialBackoff = Objects.requireNonNull(initialBackoff, "initialBackoff");
    return this;
  }

  /**
   * Sets the longest delay between retries or reconnects. At least {@link #initialBackoff}; 5 s by
   * default.
   */
  public GpuPoolClientBuilder maxBackoff(Duration maxBackoff) {
    this.maxBackoff = Objects.requireNonNull(maxBackoff, "maxBackoff");
    return this;
  }

  /**
   * Sets how long a broken watch keeps reconnecting before it fails with {@link
   * ErrorCode#UNAVAILABLE}. The time counts from the break; a reconnected stream that delivers an
   * event, or stays up for a while, starts the count afresh at its next break. Zero disables
   * reconnecting; 2 minutes by default.
   */
  public GpuPoolClientBuilder watchReconnectTimeout(Duration watchReconnectTimeout) {
    this.watchReconnectTimeout =
        Objects.requireNonNull(watchReconnectTimeout, "watchReconnectTimeout");
    return this;
  }

  /**
   * Validates the options and returns them, without building a client.
   *
   * @throws IllegalArgumentException naming every invalid option, e.g. {@code invalid client
   *     options: target must be host:port, got 'x'}
   */
  public GpuPoolClientOptions buildOptions() {
    return new GpuPoolClientOptions(this);
  }

  /**
   * Validates the options and builds the client. Connecting is lazy: an unreachable controller
   * shows only in the first calls, as {@link ErrorCode#UNAVAILABLE}.
   *
   * @throws IllegalArgumentException naming every invalid option, e.g. {@code invalid client
   *     options: target must be host:port, got 'x'}
   */
  public GpuPoolClient build() {
    return GrpcGpuPoolClient.create(buildOptions());
  }
}
