package io.gpupool.it;

import io.gpupool.client.GpuPoolClient;
import io.gpupool.client.GpuPoolException;
import io.gpupool.client.Node;
import io.gpupool.client.NodeState;
import io.gpupool.controller.testing.TestCertificates;
import io.gpupool.wire.ControllerAddresses;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Controllers and agents on loopback, each its own OS process ({@link GpupoolProcess}), for tests
 * that kill them with SIGKILL. Controllers listen on ports the test picks, so that a restarted one
 * comes back on the same address; agents keep their identity in {@code DIR/NAME}, so that a
 * restarted one is the same node.
 *
 * <p>Controllers run with authentication on, as {@code gpupool controller} always does: the clients
 * from {@link #patientClient} present the admin token the first controller wrote to its {@code
 * DATA_DIR/admin.token}, from the moment it exists (the store keeps it valid across restarts and
 * failovers).
 *
 * <p>Waits fail fast, with the tail of every process's log, when a process the test did not kill
 * has exited. {@link #close()} kills every process, whatever state the test left them in.
 *
 * <p>Not thread-safe: one test thread starts, kills and waits.
 */
final class ProcessCluster implements AutoCloseable {
  static final String JOIN_TOKEN = "it-join-token";

  /** Lines of each log that failure messages show. */
  private static final int LOG_LINES = 40;

  private final Path dir;
  private final List<GpupoolProcess> processes = new ArrayList<>();
  private final List<Path> controllerDirs = new ArrayList<>();
  private final List<ManagedChannel> channels = new ArrayList<>();
  private volatile String adminToken;

  /** A cluster whose data dirs, state dirs and logs live in {@code dir}. */
  ProcessCluster(Path dir) throws IOException {
    this.dir = Files.createDirectories(dir);
  }

  /**
   * A controller (not started) serving plaintext gRPC ({@code --insecure}) on 127.0.0.1:{@code
   * port}, with its data dir in {@code DIR/NAME}.
   *
   * @param store the JDBC URL for {@code --store}, or null for embedded H2 in the data dir
   * @param extra more flags, e.g. {@code --node-lost-after 60s}
   */
  GpupoolProcess controller(String name, int port, String store, String... extra) {
    return controller(name, port, store, List.of("--insecure"), extra);
  }

  /**
   * A controller (not started) serving TLS on 127.0.0.1:{@code port} with {@code certificate}, its
   * data dir in {@code DIR/NAME} and the embedded H2 store.
   *
   * @param extra more flags, e.g. {@code --tls-client-ca FILE}
   */
  GpupoolProcess tlsController(
      String name, int port, TestCertificates.CertificateFiles certificate, String... extra) {
    return controller(
        name,
        port,
        null,
        List.of(
            "--tls-cert",
            certificate.certificate().toString(),
            "--tls-key",
            certificate.privateKey().toString()),
        extra);
  }

  private GpupoolProcess controller(
      String name, int port, String store, List<String> transport, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "controller",
                "--host",
                "127.0.0.1",
                "--port",
                Integer.toString(port),
                "--http-port",
                "-1",
                "--data-dir",
                dir.resolve(name).toString(),
                "--join-token",
                JOIN_TOKEN));
    args.addAll(transport);
    if (store != null) {
      args.add("--store");
      args.add(store);
    }
    controllerDirs.add(dir.resolve(name));
    args.addAll(List.of(extra));
    return add(new GpupoolProcess(name, dir, args));
  }

  /**
   * An agent (not started) named {@code name}, with its state in {@code DIR/NAME}.
   *
   * @param controllers the {@code --controller} value, e.g. {@code 127.0.0.1:7070}
   * @param simulate the {@code --simulate} spec, e.g. {@code 8xH100-80GB}
   * @param extra more flags, e.g. {@code --tls-ca FILE}
   */
  GpupoolProcess agent(String name, String controllers, String simulate, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "agent",
                "--controller",
                controllers,
                "--join-token",
                JOIN_TOKEN,
                "--state-dir",
                dir.resolve(name).toString(),
                "--name",
                name,
                "--simulate",
                simulate,
                "--heartbeat-interval",
                "200ms",
                // Tasks write into the test's temp dirs, which only the test's user may enter.
                "--run-as",
                System.getProperty("user.name")));
    args.addAll(List.of(extra));
    return add(new GpupoolProcess(name, dir, args));
  }

  private GpupoolProcess add(GpupoolProcess process) {
    processes.add(process);
    return process;
  }

  /** A port nothing listens on now. */
  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** True if something accepts TCP connections on 127.0.0.1:{@code port}. */
  static boolean accepts(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * True if a controller serves gRPC on 127.0.0.1:{@code port}: a fresh channel (no reconnect
   * backoff left over from earlier attempts) finds its gRPC health check SERVING (open to callers
   * without a token).
   */
  static boolean servesGrpc(int port) {
    ManagedChannel channel =
        Grpc.newChannelBuilderForAddress("127.0.0.1", port, InsecureChannelCredentials.create())
            .build();
    try {
      return HealthGrpc.newBlockingStub(channel)
              .withDeadlineAfter(2, TimeUnit.SECONDS)
              .check(HealthCheckRequest.getDefaultInstance())
              .getStatus()
          == HealthCheckResponse.ServingStatus.SERVING;
    } catch (StatusRuntimeException e) {
      return false;
    } finally {
      channel.shutdownNow();
    }
  }

  /**
   * A client that rides out controller restarts and failovers: it retries unavailable calls for up
   * to a minute, with short backoffs. Its calls carry the admin token once a controller of this
   * cluster has written it; before, they go without (and are refused).
   *
   * @param target as {@link io.gpupool.client.GpuPoolClientBuilder#target} takes it
   */
  GpuPoolClient patientClient(String target) {
    ManagedChannel channel =
        Grpc.newChannelBuilder(
                ControllerAddresses.grpcTarget(target), InsecureChannelCredentials.create())
            .intercept(new AdminTokenHeader())
            .build();
    channels.add(channel);
    return GpuPoolClient.builder()
        .channel(channel)
        .callTimeout(Duration.ofSeconds(60))
        .maxRetries(200)
        .initialBackoff(Duration.ofMillis(100))
        .maxBackoff(Duration.ofMillis(500))
        .build();
  }

  /**
   * The admin token the first of this cluster's controllers wrote to its data dir; empty until one
   * did.
   */
  Optional<String> adminToken() {
    if (adminToken == null) {
      for (Path controllerDir : controllerDirs) {
        Path file = controllerDir.resolve("admin.token");
        try {
          if (Files.isRegularFile(file)) {
            String token = Files.readString(file).strip();
            if (!token.isEmpty()) {
              adminToken = token;
              break;
            }
          }
        } catch (IOException e) {
          // being written: try again on the next call
        }
      }
    }
    return Optional.ofNullable(adminToken);
  }

  /** Adds the admin token, when known, to each call. */
  private final class AdminTokenHeader implements ClientInterceptor {
    private final Metadata.Key<String> authorization =
        Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(
        MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
      return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
        @Override
        public void start(Listener<R> listener, Metadata headers) {
          adminToken().ifPresent(token -> headers.put(authorization, "Bearer " + token));
          super.start(listener, headers);
        }
      };
    }
  }

  /** Waits until {@code port} accepts connections. */
  void awaitListening(int port, Duration atMost) {
    await("port " + port + " accepts connections", atMost, () -> accepts(port));
  }

  /**
   * Waits until the controller behind {@code client} reports every named node {@link
   * NodeState#READY} (connected and heartbeating).
   */
  void awaitReady(GpuPoolClient client, Duration atMost, String... nodeNames) {
    Set<String> wanted = Set.of(nodeNames);
    await("nodes " + wanted + " are READY", atMost, () -> readyNodes(client).containsAll(wanted));
  }

  /** The names of the nodes the controller reports READY; empty while it cannot be reached. */
  static Set<String> readyNodes(GpuPoolClient client) {
    try {
      return client.listNodes().stream()
          .filter(n -> n.state() == NodeState.READY)
          .map(Node::name)
          .collect(Collectors.toSet());
    } catch (GpuPoolException e) {
      return Set.of();
    }
  }

  /**
   * Waits until {@code condition} holds, polling every 100 ms. Fails with the processes' logs when
   * it does not hold in time, and at once when a process the test did not kill has exited.
   */
  void await(String what, Duration atMost, Callable<Boolean> condition) {
    try {
      Awaitility.await(what)
          .atMost(atMost)
          .pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(100))
          .until(
              () -> {
                assertNoneExitedUnexpectedly();
                return condition.call();
              });
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(e.getMessage() + "\n" + logs(), e);
    }
  }

  /**
   * Checks that {@code condition} holds without a break for {@code period} (polling every 100 ms,
   * allowing one second for it to start holding); fails with the processes' logs otherwise.
   */
  void assertHoldsFor(String what, Duration period, Callable<Boolean> condition) {
    try {
      Awaitility.await(what)
          .during(period)
          .atMost(period.plusSeconds(1))
          .pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(100))
          .until(
              () -> {
                assertNoneExitedUnexpectedly();
                return condition.call();
              });
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(e.getMessage() + "\n" + logs(), e);
    }
  }

  /** Fails, with the logs, if a process the test started and did not kill has exited. */
  void assertNoneExitedUnexpectedly() {
    for (GpupoolProcess process : processes) {
      if (process.exitedUnexpectedly()) {
        throw new AssertionError(
            process.name() + " exited with code " + process.exitCode() + "\n" + logs());
      }
    }
  }

  /** The tail of every process's logs, for failure messages. */
  String logs() {
    StringBuilder text = new StringBuilder("logs in ").append(dir).append(":\n");
    processes.forEach(p -> text.append(p.logTail(LOG_LINES)));
    return text.toString();
  }

  /** Kills every process the cluster started, newest first, and their children. */
  @Override
  public void close() {
    channels.forEach(ManagedChannel::shutdownNow);
    for (int i = processes.size() - 1; i >= 0; i--) {
      processes.get(i).close();
    }
  }
}
