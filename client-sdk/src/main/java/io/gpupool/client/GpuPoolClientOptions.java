package io.gpupool.client;

import io.gpupool.wire.PemFiles;
import io.grpc.ManagedChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The validated, immutable options of a {@link GpuPoolClient}; see {@link GpuPoolClientBuilder} for
 * what each means. Thread-safe. Change a copy through {@link #toBuilder()}.
 */
public final class GpuPoolClientOptions {
  private static final Pattern HOST_PORT =
      Pattern.compile("(\\[[0-9A-Fa-f:.]+]|[^:\\s\\[\\]]+):(\\d{1,5})");
  private static final Duration MIN_KEEP_ALIVE_TIME = Duration.ofSeconds(10);

  private final Optional<String> target;
  private final Optional<ManagedChannel> channel;
  private final Optional<String> token;
  private final Duration callTimeout;
  private final Duration keepAliveTime;
  private final int maxRetries;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final Duration watchReconnectTimeout;
  private final boolean tls;
  private final Optional<Path> tlsCaFile;
  private final Optional<Path> tlsCertificateChain;
  private final Optional<Path> tlsPrivateKey;

  GpuPoolClientOptions(GpuPoolClientBuilder builder) {
    this.target = Optional.ofNullable(builder.target);
    this.channel = Optional.ofNullable(builder.channel);
    this.token = Optional.ofNullable(builder.token);
    this.callTimeout = builder.callTimeout;
    this.keepAliveTime = builder.keepAliveTime;
    this.maxRetries = builder.maxRetries;
    this.initialBackoff = builder.initialBackoff;
    this.maxBackoff = builder.maxBackoff;
    this.watchReconnectTimeout = builder.watchReconnectTimeout;
    this.tls = builder.tls;
    this.tlsCaFile = Optional.ofNullable(builder.tlsCaFile);
    this.tlsCertificateChain = Optional.ofNullable(builder.tlsCertificateChain);
    this.tlsPrivateKey = Optional.ofNullable(builder.tlsPrivateKey);
    List<String> problems = problems();
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("invalid client options: " + String.join("; ", problems));
    }
  }

  /** Returns the controller's {@code host:port}; empty when a {@link #channel()} was given. */
  public Optional<String> target() {
    return target;
  }

  /** Returns the caller's own channel, if one was given instead of a target. */
  public Optional<ManagedChannel> channel() {
    return channel;
  }

  /** Returns the bearer token calls present, if one was set. */
  public Optional<String> token() {
    return token;
  }

  /** Returns the time limit of each unary call, retries included. */
  public Duration callTimeout() {
    return callTimeout;
  }

  /** Returns the keepalive ping interval of the client's own channel. */
  public Duration keepAliveTime() {
    return keepAliveTime;
  }

  /** Returns how often a unary call failing with UNAVAILABLE is retried. */
  public int maxRetries() {
    return maxRetries;
  }

  /** Returns the delay before the first retry or reconnect. */
  public Duration initialBackoff() {
    return initialBackoff;
  }

  /** Returns the longest delay between retries or reconnects. */
  public Duration maxBackoff() {
    return maxBackoff;
  }

  /** Returns how long a broken watch keeps reconnecting before it fails. */
  public Duration watchReconnectTimeout() {
    return watchReconnectTimeout;
  }

  /** Returns true when the client's own channel talks TLS. */
  public boolean tls() {
    return tls;
  }

  /** Returns the CA certificates the client trusts; empty for the JVM's default trust store. */
  public Optional<Path> tlsCaFile() {
    return tlsCaFile;
  }

  /** Returns the client certificate chain presented for mutual TLS, if any. */
  public Optional<Path> tlsCertificateChain() {
    return tlsCertificateChain;
  }

  /** Returns the private key of {@link #tlsCertificateChain()}, if any. */
  public Optional<Path> tlsPrivateKey() {
    return tlsPrivateKey;
  }

  /** Returns a builder holding these options. */
  public GpuPoolClientBuilder toBuilder() {
    GpuPoolClientBuilder builder = new GpuPoolClientBuilder();
    builder.target = target.orElse(null);
    builder.channel = channel.orElse(null);
    builder.token = token.orElse(null);
    builder.callTimeout = callTimeout;
    builder.keepAliveTime = keepAliveTime;
    builder.maxRetries = maxRetries;
    builder.initialBackoff = initialBackoff;
    builder.maxBackoff = maxBackoff;
    builder.watchReconnectTimeout = watchReconnectTimeout;
    builder.tls = tls;
    builder.tlsCaFile = tlsCaFile.orElse(null);
    builder.tlsCertificateChain = tlsCertificateChain.orElse(null);
    builder.tlsPrivateKey = tlsPrivateKey.orElse(null);
    return builder;
  }

  /** Returns the options for logs; a token shows only as set, never its value. */
  @Override
  public String toString() {
    return "GpuPoolClientOptions[target="
        + target.orElse("(own channel)")
        + ", token="
        + (token.isPresent() ? "(set)" : "(none)")
        + ", callTimeout="
        + callTimeout
        + ", keepAliveTime="
        + keepAliveTime
        + ", maxRetries="
        + maxRetries
        + ", initialBackoff="
        + initialBackoff
        + ", maxBackoff="
        + maxBackoff
        + ", watchReconnectTimeout="
        + watchReconnectTimeout
        + ", tls="
        + (!tls ? "off" : tlsCaFile.map(Path::toString).orElse("default trust store"))
        + tlsCertificateChain.map(c -> ", tlsClientCertificate=" + c).orElse("")
        + "]";
  }

  private List<String> problems() {
    List<String> problems = new ArrayList<>();
    if (target.isPresent() && channel.isPresent()) {
      problems.add("give either target or channel, not both");
    } else if (target.isEmpty() && channel.isEmpty()) {
      problems.add("target is required (host:port of the controller)");
    }
    target
        .filter(t -> !isHostPortList(t))
        .ifPresent(
            t ->
                problems.add(
                    "target must be host:port, or host:port,host:port,... for a controller and its"
                        + " standbys, got '"
                        + t
                        + "'"));
    token
        .filter(t -> !isHeaderValue(t))
        .ifPresent(
            t ->
                problems.add(
                    "token must be non-empty printable ASCII without spaces (as gpupool token"
                        + " create prints it)"));
    if (!isPositive(callTimeout)) {
      problems.add("callTimeout must be positive, got " + callTimeout);
    }
    if (keepAliveTime.compareTo(MIN_KEEP_ALIVE_TIME) < 0) {
      problems.add("keepAliveTime must be at least 10s, got " + keepAliveTime);
    }
    if (maxRetries < 0) {
      problems.add("maxRetries must be at least 0, got " + maxRetries);
    }
    if (!isPositive(initialBackoff)) {
      problems.add("initialBackoff must be positive, got " + initialBackoff);
    }
    if (maxBackoff.compareTo(initialBackoff) < 0) {
      problems.add(
          "maxBackoff must be at least initialBackoff (" + initialBackoff + "), got " + maxBackoff);
    }
    if (watchReconnectTimeout.isNegative()) {
      problems.add("watchReconnectTimeout must not be negative, got " + watchReconnectTimeout);
    }
    if (tls && channel.isPresent()) {
      problems.add(
          "tls applies to the channel the client opens to a target, not to your own channel");
    }
    tlsCaFile.flatMap(f -> PemFiles.certificateProblem("tls caFile", f)).ifPresent(problems::add);
    tlsCertificateChain
        .flatMap(f -> PemFiles.certificateProblem("tlsClientCertificate certificateChain", f))
        .ifPresent(problems::add);
    tlsPrivateKey
        .flatMap(
            f -> PemFiles.privateKeyProblem("tlsClientCertificate privateKey", f, "the client"))
        .ifPresent(problems::add);
    return problems;
  }

  private static boolean isHostPortList(String target) {
    for (String entry : target.split(",", -1)) {
      if (!isHostPort(entry.strip())) {
        return false;
      }
    }
    return true;
  }

  private static boolean isHostPort(String target) {
    Matcher matcher = HOST_PORT.matcher(target);
    if (!matcher.matches()) {
      return false;
    }
    int port = Integer.parseInt(matcher.group(2));
    return port >= 1 && port <= 65535;
  }

  private static boolean isHeaderValue(String token) {
    return !token.isEmpty() && token.chars().allMatch(c -> c > 0x20 && c < 0x7f);
  }

  private static boolean isPositive(Duration duration) {
    return !duration.isNegative() && !duration.isZero();
  }
}
