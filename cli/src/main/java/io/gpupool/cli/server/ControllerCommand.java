package io.gpupool.cli.server;

import io.gpupool.cli.client.DurationConverter;
import io.gpupool.controller.Controller;
import io.gpupool.controller.ControllerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code gpupool controller}: the central controller, serving until interrupted. */
@Command(
    name = "controller",
    mixinStandardHelpOptions = true,
    description = "Runs the controller: the scheduling gRPC API agents and clients connect to.")
public final class ControllerCommand implements Callable<Integer> {

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
      description = "HTTP port for /healthz; -1 disables (default: ${DEFAULT-VALUE}).")
  int httpPort;

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

  @Override
  public Integer call() throws Exception {
    Controller controller =
        Controller.start(
            ControllerConfig.builder()
                .host(host)
                .grpcPort(port)
                .httpPort(httpPort)
                .dataDir(dataDir)
                .joinToken(joinToken)
                .heartbeatTimeout(suspectAfter)
                .nodeLostAfter(lostAfter)
                .store(store, storeUser, storePassword)
                .scheduler(scheduler.config())
                .build());
    System.out.println(
        "gpupool controller: gRPC on "
            + host
            + ":"
            + controller.grpcPort()
            + (controller.httpPort() < 0 ? "" : ", HTTP on port " + controller.httpPort())
            + ", state in "
            + (store == null ? dataDir.toAbsolutePath() : "the database at --store"));
    UntilInterrupted.await(List.of(controller));
    return 0;
  }
}
