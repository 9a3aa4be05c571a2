package io.gpupool.cli.server;

import io.gpupool.cli.CliErrorHandler;
import io.gpupool.cli.client.CommandFailedException;
import io.gpupool.cli.client.DurationConverter;
import io.gpupool.controller.Controller;
import io.gpupool.controller.ControllerConfig;
import io.gpupool.controller.auth.AdminTokenFile;
import io.gpupool.controller.ha.DataDirInUseException;
import io.gpupool.controller.store.LeadershipLostException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gpupool controller}: the central controller, serving until interrupted. On a shared
 * PostgreSQL store it may wait as a standby first; when it loses the lead it exits with {@value
 * CliErrorHandler#EXIT_FAILURE} so that its supervisor restarts it (as a standby).
 */
@Command(
    name = "controller",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the controller: the scheduling gRPC API agents and clients connect to.",
      "",
      "Every call needs a bearer token. On its first start the controller writes an admin token"
          + " to DATA_DIR/admin.token (mode 0600); use it with the CLI's --token or GPUPOOL_TOKEN,"
          + " and make tokens for others with 'gpupool token create'. Agents join with"
          + " --join-token, or with a token of role agent.",
      "",
      "Several controllers may share one PostgreSQL --store (same database and schema): one leads"
          + " and serves; the others wait as standbys, answer /healthz with 503 'standby', do not"
          + " listen on --port, and take over within seconds when the leader dies. Give agents and"
          + " clients every controller's address (--controller a:7070,b:7070). A controller that"
          + " loses the lead exits with code 1; run it under a supervisor that restarts it. With"
          + " the embedded H2 store, one controller runs per --data-dir.",
      "",
      "The gRPC port serves TLS with --tls-cert and --tls-key; --tls-client-ca also requires"
          + " every client (agents, CLI, SDK) to present a certificate signed by that CA. Plaintext"
          + " needs --insecure: anyone who reaches the port could run code on your GPU machines."
    })
public final class ControllerCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--host",
      defaultValue = "0.0.0.0",
      description = "Address to listen on (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(
      names = "--port",
      defaultValue = "7070",
      description = "gRPC port (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--http-port",
      defaultValue = "8080",
      description =
          "HTTP port for /healthz (200 'ok' while serving; 503 'standby', 'starting' or"
              + " 'unavailable' otherwise); -1 disables (default: ${DEFAULT-VALUE}).")
  int httpPort;

  @Option(
      names = "--advertise-address",
      paramLabel = "HOST:PORT",
      description =
          "The gRPC address others reach this controller at, recorded as the leader's address in a"
              + " shared PostgreSQL store (default: --host, or this host's name for 0.0.0.0, and"
              + " --port).")
  String advertiseAddress;

  @Option(
      names = "--data-dir",
      required = true,
      description = "Directory of the controller's database.")
  Path dataDir;

  @Option(
      names = "--join-token",
      required = true,
      defaultValue = "${env:GPUPOOL_JOIN_TOKEN}",
      description = "Secret agents must present to register (env GPUPOOL_JOIN_TOKEN).")
  String joinToken;

  @Mixin SchedulerFlags scheduler;

  @Option(
      names = "--store",
      defaultValue = "${env:GPUPOOL_STORE}",
      description =
          "JDBC URL of the database, e.g. jdbc:postgresql://db:5432/gpupool (env GPUPOOL_STORE;"
              + " default: embedded H2 in --data-dir).")
  String store;

  @Option(
      names = "--store-user",
      defaultValue = "${env:GPUPOOL_STORE_USER}",
      description = "Database user (env GPUPOOL_STORE_USER).")
  String storeUser;

  @Option(
      names = "--store-password",
      defaultValue = "${env:GPUPOOL_STORE_PASSWORD}",
      description = "Database password (env GPUPOOL_STORE_PASSWORD; prefer the env over the flag).")
  String storePassword;

  @Option(
      names = "--tls-cert",
      paramLabel = "FILE",
      description =
          "Serve TLS on the gRPC port with this certificate chain (PEM); its subject alternative"
              + " names must cover every name clients use for this controller. With --tls-key.")
  Path tlsCert;

  @Option(
      names = "--tls-key",
      paramLabel = "FILE",
      description =
          "Private key of --tls-cert, unencrypted PKCS#8 PEM (-----BEGIN PRIVATE KEY-----).")
  Path tlsKey;

  @Option(
      names = "--tls-client-ca",
      paramLabel = "FILE",
      description =
          "Require every client to present a certificate signed by a CA in this PEM file (mutual"
              + " TLS): agents, the CLI and the SDK alike. Needs --tls-cert and --tls-key.")
  Path tlsClientCa;

  @Option(
      names = "--insecure",
      description =
          "Serve plaintext gRPC instead of TLS; logs a warning. Only on a trusted network.")
  boolean insecure;

  @Option(
      names = "--node-suspect-after",
      defaultValue = "10s",
      converter = DurationConverter.class,
      description =
          "Heartbeat silence after which a node gets no new work (default: ${DEFAULT-VALUE}).")
  Duration suspectAfter;

  @Option(
      names = "--node-lost-after",
      defaultValue = "30s",
      converter = DurationConverter.class,
      description =
          "Silence after which a node is lost and its tasks are requeued (default: ${DEFAULT-VALUE}).")
  Duration lostAfter;

  @Option(
      names = "--rate-limit",
      paramLabel = "N",
      defaultValue = "" + ControllerConfig.DEFAULT_RATE_LIMIT,
      description =
          "Requests per second each token may make on average (bursts of twice that pass); more"
              + " get RESOURCE_EXHAUSTED; 0 for no limit (default: ${DEFAULT-VALUE}).")
  int rateLimit;

  @Override
  public Integer call() throws Exception {
    Controller controller;
    try {
      controller = Controller.start(config());
    } catch (DataDirInUseException e) {
      throw new CommandFailedException(e.getMessage());
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println(
        "gpupool controller: gRPC ("
            + transport()
            + ") on "
            + host
            + ":"
            + controller.grpcPort()
            + (controller.httpPort() < 0 ? "" : ", HTTP on port " + controller.httpPort())
            + ", state in "
            + (store == null ? dataDir.toAbsolutePath() : "the database at --store")
            + (controller.leaderEpoch().isPresent()
                ? ", leading it as epoch " + controller.leaderEpoch().getAsLong()
                : ""));
    Path adminToken = dataDir.resolve(AdminTokenFile.FILE_NAME);
    if (Files.exists(adminToken)) {
      out.println(
          "gpupool controller: admin token in "
              + adminToken.toAbsolutePath()
              + "; use it with: export GPUPOOL_TOKEN=$(cat "
              + adminToken.toAbsolutePath()
              + ")");
    }
    out.flush();
    LeadershipLostException lost = serveUntilStoppedOrDeposed(controller);
    if (lost != null) {
      throw new CommandFailedException(lostLeadershipMessage(lost));
    }
    return 0;
  }

  /**
   * Blocks until the controller loses the lead (returns why, after closing it) or the thread is
   * interrupted (returns null, after closing it). On SIGINT/SIGTERM a shutdown hook closes the
   * controller and the JVM exits while this still waits.
   */
  private static LeadershipLostException serveUntilStoppedOrDeposed(Controller controller) {
    Thread hook = new Thread(controller::close, "gpupool-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    boolean interrupted = false;
    try {
      return controller.lostLeadership().get();
    } catch (InterruptedException e) {
      interrupted = true;
      return null;
    } catch (ExecutionException e) {
      throw new IllegalStateException("the leadership future never fails", e);
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is closing the controller already
      }
      controller.close();
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** The controller these flags describe; validation errors name the flag. */
  ControllerConfig config() {
    return ControllerConfig.builder()
        .host(host)
        .grpcPort(port)
        .httpPort(httpPort)
        .dataDir(dataDir)
        .joinToken(joinToken)
        .heartbeatTimeout(suspectAfter)
        .nodeLostAfter(lostAfter)
        .store(store, storeUser, storePassword)
        .scheduler(scheduler.config())
        .advertiseAddress(advertiseAddress)
        .tls(tlsCert, tlsKey)
        .tlsClientCa(tlsClientCa)
        .insecure(insecure)
        .rateLimit(rateLimit)
        .build();
  }

  private String transport() {
    if (tlsCert == null) {
      return "plaintext, --insecure";
    }
    return tlsClientCa == null ? "TLS" : "mutual TLS";
  }

  static String lostLeadershipMessage(LeadershipLostException why) {
    return "lost leadership of the PostgreSQL store: "
        + why.getMessage()
        + "; exiting so the supervisor restarts this controller as a standby";
  }
}
