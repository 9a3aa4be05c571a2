package io.gpupool.agent;

import io.gpupool.agent.device.SimulateSpec;
import io.gpupool.agent.workload.OutputLimits;
import io.gpupool.agent.workload.WorkloadSettings;
import io.gpupool.wire.ControllerAddresses;
import io.gpupool.wire.PemFiles;
import io.gpupool.wire.TlsHandshakeFailures;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The options of an {@link Agent}: immutable and validated. Build one with {@link #builder()}.
 *
 * <p>Option names in error messages are the {@code gpupool agent} flags, so that the CLI can show
 * them as they are.
 */
public final class AgentConfig {

  private final String controllerTarget;
  private final String joinToken;
  private final Path stateDir;
  private final String nodeName;
  private final String simulateText;
  private final Optional<SimulateSpec> simulate;
  private final Optional<Path> nvmlLibrary;
  private final Duration heartbeatInterval;
  private final Duration sampleInterval;
  private final Duration reconnectBackoffMin;
  private final Duration reconnectBackoffMax;
  private final Function<String, ManagedChannel> customChannelFactory; // null: the network
  private final boolean tls;
  private final Optional<Path> tlsCa;
  private final Optional<Path> tlsCert;
  private final Optional<Path> tlsKey;
  private final Clock clock;
  private final Map<String, String> labels;
  private final Optional<Duration> stopWorkAfterDisconnect;

  // How command workloads run: as whom, seeing what, saying how much.
  private final Optional<String> runAs;
  private final Map<String, String> agentEnvironment;
  private final Set<String> passEnv;
  private final OutputLimits outputLimits;

  private AgentConfig(Builder b, String nodeName, Optional<SimulateSpec> simulate) {
    this.controllerTarget = b.controllerTarget;
    this.joinToken = b.joinToken;
    this.stateDir = b.stateDir;
    this.nodeName = nodeName;
    this.simulateText = b.simulate;
    this.simulate = simulate;
    this.nvmlLibrary = Optional.ofNullable(b.nvmlLibrary);
    this.heartbeatInterval = b.heartbeatInterval;
    this.sampleInterval = b.sampleInterval;
    this.reconnectBackoffMin = b.reconnectBackoffMin;
    this.reconnectBackoffMax = b.reconnectBackoffMax;
    this.customChannelFactory = b.channelFactory;
    this.tls = b.tls || b.tlsCa != null || b.tlsCert != null;
    this.tlsCa = Optional.ofNullable(b.tlsCa);
    this.tlsCert = Optional.ofNullable(b.tlsCert);
    this.tlsKey = Optional.ofNullable(b.tlsKey);
    this.clock = b.clock;
    this.labels = Map.copyOf(b.labels);
    this.stopWorkAfterDisconnect = Optional.ofNullable(b.stopWorkAfterDisconnect);
    this.runAs = Optional.ofNullable(b.runAs);
    this.agentEnvironment =
        Map.copyOf(b.agentEnvironment != null ? b.agentEnvironment : System.getenv());
    this.passEnv = Set.copyOf(b.passEnv);
    this.outputLimits =
        OutputLimits.of(b.maxTaskOutputBytes, b.taskLogLinesPerSecond, b.taskLogBytesPerSecond);
  }

  /** A builder with the defaults; controller target, join token and state dir must be set. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this config's options. */
  public Builder toBuilder() {
    return new Builder()
        .controllerTarget(controllerTarget)
        .joinToken(joinToken)
        .stateDir(stateDir)
        .nodeName(nodeName)
        .simulate(simulateText)
        .nvmlLibrary(nvmlLibrary.orElse(null))
        .heartbeatInterval(heartbeatInterval)
        .sampleInterval(sampleInterval)
        .reconnectBackoffMin(reconnectBackoffMin)
        .reconnectBackoffMax(reconnectBackoffMax)
        .channelFactory(customChannelFactory)
        .tls(tls)
        .tlsCa(tlsCa.orElse(null))
        .tlsCert(tlsCert.orElse(null))
        .tlsKey(tlsKey.orElse(null))
        .clock(clock)
        .labels(labels)
        .stopWorkAfterDisconnect(stopWorkAfterDisconnect.orElse(null))
        .runAs(runAs.orElse(null))
        .agentEnvironment(agentEnvironment)
        .passEnv(passEnv)
        .maxTaskOutputBytes(outputLimits.maxTaskOutputBytes())
        .taskLogLinesPerSecond(outputLimits.logLinesPerSecond())
        .taskLogBytesPerSecond(outputLimits.logBytesPerSecond());
  }

  /** The node's labels, which tasks select nodes by. */
  public Map<String, String> labels() {
    return labels;
  }

  /** The controller's address, "host:port" (any gRPC target works). */
  public String controllerTarget() {
    return controllerTarget;
  }

  /** The cluster's join token. */
  public String joinToken() {
    return joinToken;
  }

  /** Where the agent keeps its node id and the task directories. */
  public Path stateDir() {
    return stateDir;
  }

  /** The node's name; the local host name unless set. */
  public String nodeName() {
    return nodeName;
  }

  /** The declared simulated devices; empty to use the real GPUs. */
  public Optional<SimulateSpec> simulate() {
    return simulate;
  }

  /** The NVML library to use ({@code --nvml-library}); empty to search the usual places. */
  public Optional<Path> nvmlLibrary() {
    return nvmlLibrary;
  }

  /** The heartbeat interval unless the controller asks for another. */
  public Duration heartbeatInterval() {
    return heartbeatInterval;
  }

  /** How often the devices are sampled; heartbeats carry the latest sample. */
  public Duration sampleInterval() {
    return sampleInterval;
  }

  /** The shortest delay before reconnecting to the controller. */
  public Duration reconnectBackoffMin() {
    return reconnectBackoffMin;
  }

  /** The longest delay before reconnecting to the controller. */
  public Duration reconnectBackoffMax() {
    return reconnectBackoffMax;
  }

  /**
   * Makes the one channel to the controller from the target: the factory given to the builder, or a
   * Netty channel, TLS when {@link #tls()}.
   */
  public Function<String, ManagedChannel> channelFactory() {
    return customChannelFactory != null ? customChannelFactory : this::networkChannel;
  }

  /** True when the agent talks TLS to the controller ({@code --tls}, {@code --tls-ca}, ...). */
  public boolean tls() {
    return tls;
  }

  /** The CA certificates the agent trusts ({@code --tls-ca}); empty for the JVM's default CAs. */
  public Optional<Path> tlsCa() {
    return tlsCa;
  }

  /** The client certificate presented for mutual TLS ({@code --tls-cert}), if any. */
  public Optional<Path> tlsCert() {
    return tlsCert;
  }

  /** The private key of {@link #tlsCert()} ({@code --tls-key}), if any. */
  public Optional<Path> tlsKey() {
    return tlsKey;
  }

  /**
   * How long the agent may be without the controller before it stops its running tasks ({@code
   * --stop-work-after-disconnect}); empty to keep them running however long the controller is away.
   */
  public Optional<Duration> stopWorkAfterDisconnect() {
    return stopWorkAfterDisconnect;
  }

  /** The clock of heartbeats, task updates and the disconnect limit. */
  public Clock clock() {
    return clock;
  }

  /**
   * The user command workloads run as ({@code --run-as}); empty for the agent's own user. Only a
   * root agent can run them as another user.
   */
  public Optional<String> runAs() {
    return runAs;
  }

  /**
   * The agent's environment, of which workloads get only an allow-list (PATH, LANG, LC_*, TZ, the
   * MPS directories) and {@link #passEnv()}.
   */
  public Map<String, String> agentEnvironment() {
    return agentEnvironment;
  }

  /** Further variables of the agent's environment that workloads get ({@code --pass-env}). */
  public Set<String> passEnv() {
    return passEnv;
  }

  /**
   * Caps on a task's output: in all ({@code --max-task-output-bytes}) and per second ({@code
   * --task-log-lines-per-second}, {@code --task-log-bytes-per-second}).
   */
  public OutputLimits outputLimits() {
    return outputLimits;
  }

  /** What the task runner needs of the workload options. */
  public WorkloadSettings workloadSettings() {
    return new WorkloadSettings(runAs, agentEnvironment, passEnv, outputLimits);
  }

  @Override
  public String toString() {
    return "AgentConfig[controller="
        + controllerTarget
        + ", joinToken=***, stateDir="
        + stateDir
        + ", nodeName="
        + nodeName
        + ", simulate="
        + simulate.map(SimulateSpec::toString).orElse("no")
        + ", heartbeatInterval="
        + heartbeatInterval
        + ", sampleInterval="
        + sampleInterval
        + ", tls="
        + (!tls ? "off" : tlsCa.map(Path::toString).orElse("default trust store"))
        + tlsCert.map(c -> ", tlsCert=" + c).orElse("")
        + ", runAs="
        + runAs.orElse("(the agent's user)")
        + ", outputLimits="
        + outputLimits
        + "]";
  }

  /**
   * A Netty channel, plaintext or TLS, with keepalive pings so that a connection that silently died
   * (a network cut without RST) fails within about 20 s instead of at the next TCP timeout; the
   * controller permits pings every 10 s. A failed TLS handshake is logged by the session as what
   * went wrong and which flag to check ({@link TlsHandshakeFailures}).
   *
   * @throws IllegalArgumentException when the TLS files cannot be used, naming the flags
   */
  private ManagedChannel networkChannel(String target) {
    try {
      return Grpc.newChannelBuilder(ControllerAddresses.grpcTarget(target), credentials())
          .keepAliveTime(Builder.KEEPALIVE_TIME.toNanos(), TimeUnit.NANOSECONDS)
          .keepAliveTimeout(Builder.KEEPALIVE_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS)
          .keepAliveWithoutCalls(true)
          .intercept(TlsHandshakeFailures.interceptor(target, tls, TLS_HINTS))
          .build();
    } catch (RuntimeException e) {
      if (!tls) {
        throw e;
      }
      // gRPC reports unusable PEM contents as "no channel provider": name the files instead.
      throw new IllegalArgumentException(
          "cannot use the TLS files (--tls-ca "
              + tlsCa.map(Path::toString).orElse("-")
              + ", --tls-cert "
              + tlsCert.map(Path::toString).orElse("-")
              + ", --tls-key "
              + tlsKey.map(Path::toString).orElse("-")
              + "): "
              + e.getMessage(),
          e);
    }
  }

  private ChannelCredentials credentials() {
    if (!tls) {
      return InsecureChannelCredentials.create();
    }
    TlsChannelCredentials.Builder credentials = TlsChannelCredentials.newBuilder();
    try {
      if (tlsCa.isPresent()) {
        credentials.trustManager(new ByteArrayInputStream(PemFiles.read("--tls-ca", tlsCa.get())));
      }
      if (tlsCert.isPresent() && tlsKey.isPresent()) {
        credentials.keyManager(
            new ByteArrayInputStream(PemFiles.read("--tls-cert", tlsCert.get())),
            new ByteArrayInputStream(PemFiles.read("--tls-key", tlsKey.get())));
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("reading PEM bytes from memory failed: " + e, e);
    }
    return credentials.build();
  }

  /** How a failed TLS handshake names the agent's flags. */
  private static final TlsHandshakeFailures.Hints TLS_HINTS =
      new TlsHandshakeFailures.Hints(
          "leave out --tls, --tls-ca, --tls-cert and --tls-key",
          "this agent's certificate",
          "pass --tls-cert and --tls-key",
          "check --tls-ca",
          target ->
              TlsHandshakeFailures.PLAINTEXT_TO_TLS
                  + " (if the controller serves TLS, pass --tls-ca FILE or --tls)");

  /**
   * Collects the options. Not thread-safe; {@link #build()} validates and may be called more than
   * once.
   */
  public static final class Builder {
    private static final Duration KEEPALIVE_TIME = Duration.ofSeconds(15);
    private static final Duration KEEPALIVE_TIMEOUT = Duration.ofSeconds(5);
    private static final Pattern ENVIRONMENT_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private Map<String, String> labels = Map.of();

    /** The node's labels (e.g. zone=eu), which tasks select nodes by. */
    public Builder labels(Map<String, String> labels) {
      this.labels = Map.copyOf(labels);
      return this;
    }

    private String controllerTarget;
    private String joinToken;
    private Path stateDir;
    private String nodeName;
    private String simulate;
    private Path nvmlLibrary;
    private Duration heartbeatInterval = Duration.ofSeconds(1);
    private Duration sampleInterval = Duration.ofSeconds(1);
    private Duration reconnectBackoffMin = Duration.ofMillis(100);
    private Duration reconnectBackoffMax = Duration.ofSeconds(5);
    private Function<String, ManagedChannel> channelFactory;
    private boolean tls;
    private Path tlsCa;
    private Path tlsCert;
    private Path tlsKey;
    private Clock clock = Clock.systemUTC();
    private Duration stopWorkAfterDisconnect;

    private String runAs;
    private Map<String, String> agentEnvironment;
    private Set<String> passEnv = Set.of();
    private long maxTaskOutputBytes = OutputLimits.DEFAULT_MAX_TASK_OUTPUT_BYTES;
    private int taskLogLinesPerSecond = OutputLimits.DEFAULT_LOG_LINES_PER_SECOND;
    private long taskLogBytesPerSecond = OutputLimits.DEFAULT_LOG_BYTES_PER_SECOND;

    private Builder() {}

    /**
     * The controller's address, "host:port", or "host:port,host:port,..." for a controller and its
     * standbys (the agent follows whichever leads); required.
     */
    public Builder controllerTarget(String controllerTarget) {
      this.controllerTarget = controllerTarget;
      return this;
    }

    /** The cluster's join token; required. */
    public Builder joinToken(String joinToken) {
      this.joinToken = joinToken;
      return this;
    }

    /** Where the agent keeps its node id and task directories; required, created if missing. */
    public Builder stateDir(Path stateDir) {
      this.stateDir = stateDir;
      return this;
    }

    /** The node's name; null for the local host name. */
    public Builder nodeName(String nodeName) {
      this.nodeName = nodeName;
      return this;
    }

    /** Simulated devices, e.g. "8xA100-80GB" or "2xA100-40GB,1xT4-16GB"; null for real GPUs. */
    public Builder simulate(String spec) {
      this.simulate = spec;
      return this;
    }

    /** The NVML library (file or directory); null to search the usual library directories. */
    public Builder nvmlLibrary(Path nvmlLibrary) {
      this.nvmlLibrary = nvmlLibrary;
      return this;
    }

    /** Heartbeat interval unless the controller asks for another; default 1 s. */
    public Builder heartbeatInterval(Duration heartbeatInterval) {
      this.heartbeatInterval = heartbeatInterval;
      return this;
    }

    /** How often the devices are sampled ({@code --sample-interval}); default 1 s. */
    public Builder sampleInterval(Duration sampleInterval) {
      this.sampleInterval = sampleInterval;
      return this;
    }

    /** Shortest reconnect delay; default 100 ms. */
    public Builder reconnectBackoffMin(Duration reconnectBackoffMin) {
      this.reconnectBackoffMin = reconnectBackoffMin;
      return this;
    }

    /** Longest reconnect delay; default 5 s. */
    public Builder reconnectBackoffMax(Duration reconnectBackoffMax) {
      this.reconnectBackoffMax = reconnectBackoffMax;
      return this;
    }

    /**
     * Makes the channel to the controller from the target; null (the default) for a Netty channel,
     * plaintext or TLS as the TLS options say. Tests pass an in-process channel. The agent shuts
     * the channel down when it closes.
     */
    public Builder channelFactory(Function<String, ManagedChannel> channelFactory) {
      this.channelFactory = channelFactory;
      return this;
    }

    /**
     * Talks TLS to the controller ({@code --tls}), trusting the JVM's default CAs unless {@link
     * #tlsCa} is given; default false. Giving {@link #tlsCa} or {@link #tlsCert} implies it.
     */
    public Builder tls(boolean tls) {
      this.tls = tls;
      return this;
    }

    /**
     * Trusts the CA certificates in this PEM file ({@code --tls-ca}), e.g. the CA that signed the
     * controller's certificate, and talks TLS; null for none. The controller's certificate must
     * name the first address of {@link #controllerTarget}, whichever controller the agent reaches.
     */
    public Builder tlsCa(Path caFile) {
      this.tlsCa = caFile;
      return this;
    }

    /**
     * Presents this PEM client certificate ({@code --tls-cert}) to a controller that requires one
     * ({@code --tls-client-ca}); needs {@link #tlsKey}. Null for none.
     */
    public Builder tlsCert(Path certificateChain) {
      this.tlsCert = certificateChain;
      return this;
    }

    /** The unencrypted PKCS#8 PEM key of {@link #tlsCert} ({@code --tls-key}); null for none. */
    public Builder tlsKey(Path privateKey) {
      this.tlsKey = privateKey;
      return this;
    }

    /**
     * How long the agent may be without an accepted session with the controller (counted from the
     * moment it lost it; a reconnect starts over) before it stops its running tasks, which then end
     * with reason code CONTROLLER_UNREACHABLE. Set it below the controller's node-lost deadline, so
     * that a cut-off node's work is stopped before the controller runs it elsewhere. Default null:
     * tasks keep running however long the controller is away.
     */
    public Builder stopWorkAfterDisconnect(Duration stopWorkAfterDisconnect) {
      this.stopWorkAfterDisconnect = stopWorkAfterDisconnect;
      return this;
    }

    /** Clock of heartbeats, task updates and the disconnect limit; default the UTC system clock. */
    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /**
     * The user (name or uid) that command workloads run as ({@code --run-as}); default null: the
     * agent's own user. A root agent starts them through setpriv as this user, with its groups; any
     * other agent can run them only as itself, and {@link Agent#start} refuses another user. The
     * {@code gpupool agent} command passes {@code nobody} when it runs as root and is not told
     * otherwise.
     */
    public Builder runAs(String user) {
      this.runAs = user;
      return this;
    }

    /**
     * The agent's environment, of which workloads get only an allow-list and {@link #passEnv}; the
     * rest (the join token, client tokens, passwords) never reaches them. Default null: this JVM's
     * environment. Tests pass their own, since a JVM's environment cannot be changed.
     */
    public Builder agentEnvironment(Map<String, String> environment) {
      this.agentEnvironment = environment == null ? null : Map.copyOf(environment);
      return this;
    }

    /**
     * Names of further variables of the agent's environment that workloads get ({@code
     * --pass-env}), e.g. LD_LIBRARY_PATH or http_proxy; default none.
     */
    public Builder passEnv(Set<String> names) {
      this.passEnv = Set.copyOf(names);
      return this;
    }

    /**
     * Bytes of output (stdout and stderr together) a task may send in all ({@code
     * --max-task-output-bytes}); past it, lines are dropped after one marker line. Default 1 GiB.
     */
    public Builder maxTaskOutputBytes(long bytes) {
      this.maxTaskOutputBytes = bytes;
      return this;
    }

    /**
     * Lines per second a task may send ({@code --task-log-lines-per-second}), in bursts of up to a
     * second's worth; the excess is dropped and counted in a marker line. Default 1000.
     */
    public Builder taskLogLinesPerSecond(int lines) {
      this.taskLogLinesPerSecond = lines;
      return this;
    }

    /** Bytes per second a task may send ({@code --task-log-bytes-per-second}); default 1 MiB. */
    public Builder taskLogBytesPerSecond(long bytes) {
      this.taskLogBytesPerSecond = bytes;
      return this;
    }

    /**
     * Validates the options and builds the config.
     *
     * @throws IllegalArgumentException naming the first bad option, e.g. "--state-dir is required"
     */
    public AgentConfig build() {
      require(controllerTarget != null && !controllerTarget.isBlank(), "--controller is required");
      require(joinToken != null && !joinToken.isEmpty(), "--join-token is required");
      require(stateDir != null, "--state-dir is required");
      require(nodeName == null || !nodeName.isBlank(), "--name must not be blank");
      Optional<SimulateSpec> spec;
      try {
        spec = Optional.ofNullable(simulate).map(SimulateSpec::parse);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--simulate: " + e.getMessage(), e);
      }
      requirePositive(heartbeatInterval, "--heartbeat-interval");
      requirePositive(sampleInterval, "--sample-interval");
      requirePositive(reconnectBackoffMin, "--reconnect-backoff-min");
      requirePositive(reconnectBackoffMax, "--reconnect-backoff-max");
      require(
          reconnectBackoffMax.compareTo(reconnectBackoffMin) >= 0,
          "--reconnect-backoff-max must not be less than --reconnect-backoff-min");
      if (stopWorkAfterDisconnect != null) {
        requirePositive(stopWorkAfterDisconnect, "--stop-work-after-disconnect");
      }
      require(
          (tlsCert == null) == (tlsKey == null),
          (tlsCert == null ? "--tls-cert" : "--tls-key")
              + " is missing: --tls-cert and --tls-key go together");
      if (tlsCa != null) {
        require(PemFiles.certificateProblem("--tls-ca", tlsCa));
      }
      if (tlsCert != null) {
        require(PemFiles.certificateProblem("--tls-cert", tlsCert));
        require(PemFiles.privateKeyProblem("--tls-key", tlsKey, "the agent"));
      }
      require(runAs == null || !runAs.isBlank(), "--run-as must name a user");
      for (String name : passEnv) {
        require(
            ENVIRONMENT_NAME.matcher(name).matches(),
            "--pass-env: '" + name + "' is not an environment variable name");
      }
      require(
          maxTaskOutputBytes > 0,
          "--max-task-output-bytes must be positive, got " + maxTaskOutputBytes);
      require(
          taskLogLinesPerSecond > 0,
          "--task-log-lines-per-second must be positive, got " + taskLogLinesPerSecond);
      require(
          taskLogBytesPerSecond > 0,
          "--task-log-bytes-per-second must be positive, got " + taskLogBytesPerSecond);
      require(clock != null, "clock must not be null");
      return new AgentConfig(this, nodeName == null ? localHostName() : nodeName, spec);
    }

    private static void require(Optional<String> problem) {
      problem.ifPresent(
          message -> {
            throw new IllegalArgumentException(message);
          });
    }

    private static void require(boolean condition, String message) {
      if (!condition) {
        throw new IllegalArgumentException(message);
      }
    }

    private static void requirePositive(Duration duration, String option) {
      require(duration != null, option + " is required");
      require(
          !duration.isNegative() && !duration.isZero(),
          option + " must be positive, got " + duration);
    }

    private static String localHostName() {
      try {
        return InetAddress.getLocalHost().getHostName();
      } catch (UnknownHostException e) {
        return Objects.requireNonNullElse(System.getenv("HOSTNAME"), "localhost");
      }
    }
  }
}
