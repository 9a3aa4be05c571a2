package io.gpupool.cli.server;

import io.gpupool.agent.Agent;
import io.gpupool.agent.AgentConfig;
import io.gpupool.agent.device.NvmlLocator;
import io.gpupool.agent.device.SimulateSpec;
import io.gpupool.cli.client.SavedTokens;
import io.gpupool.controller.Controller;
import io.gpupool.controller.ControllerConfig;
import io.gpupool.controller.auth.AdminTokenFile;
import io.gpupool.proto.v1.Role;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code gpupool dev}: a controller and an agent in one process on this machine, like {@code nomad
 * agent -dev}. Listens on loopback only. Without NVIDIA GPUs the agent runs simulated ones and the
 * first line of output says so.
 *
 * <p>Authentication is on, as everywhere, but costs the user nothing here: dev mode saves the admin
 * token where the CLI on this machine finds it for this controller's address ({@link SavedTokens}),
 * says where in one line, and removes it on exit.
 */
@Command(
    name = "dev",
    mixinStandardHelpOptions = true,
    description = "Runs a controller and a local agent in one process, for trying gpupool out.")
public final class DevCommand implements Callable<Integer> {
  static final String DEFAULT_SIMULATION = "4xH100-80GB";

  @Option(
      names = "--port",
      defaultValue = "7070",
      description = "gRPC port (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--http-port",
      defaultValue = "8080",
      description = "HTTP port; -1 disables (default: ${DEFAULT-VALUE}).")
  int httpPort;

  @Option(
      names = "--data-dir",
      description =
          "Directory for the database and agent state (default: a new temporary directory, deleted on exit).")
  Path dataDir;

  @Option(
      names = "--simulate",
      description =
          "Simulated GPUs for the agent, e.g. 8xA100-80GB (default when no NVIDIA GPU is found: "
              + DEFAULT_SIMULATION
              + ").")
  String simulate;

  @Mixin SchedulerFlags scheduler;

  @Override
  public Integer call() throws Exception {
    String simulation = simulate;
    Optional<Path> nvml = NvmlLocator.systemDefault(System.getenv("LD_LIBRARY_PATH")).find();
    if (simulation != null) {
      System.out.println(
          "gpupool dev: the agent runs SIMULATED GPUs, as declared by --simulate "
              + simulation
              + ": "
              + describe(simulation));
    } else if (nvml.isEmpty()) {
      simulation = DEFAULT_SIMULATION;
      System.out.println(
          "gpupool dev: no NVIDIA GPU found ("
              + NvmlLocator.LIBRARY
              + " not found); the agent runs"
              + " SIMULATED GPUs: "
              + describe(simulation)
              + " (--simulate "
              + simulation
              + ")");
    } else {
      System.out.println(
          "gpupool dev: NVIDIA driver found at " + nvml.get() + "; the agent uses the real GPUs");
    }
    System.out.flush();

    boolean temporary = dataDir == null;
    Path dir = temporary ? Files.createTempDirectory("gpupool-dev-") : dataDir;
    String joinToken = HexFormat.of().formatHex(randomBytes(16));
    List<AutoCloseable> running = new ArrayList<>();
    try {
      Controller controller =
          Controller.start(
              ControllerConfig.builder()
                  .host("127.0.0.1")
                  .grpcPort(port)
                  .httpPort(httpPort)
                  .dataDir(dir.resolve("controller"))
                  .joinToken(joinToken)
                  .scheduler(scheduler.config())
                  .insecure(true) // loopback only: the controller logs no warning for that
                  .build());
      running.add(0, controller);
      Agent agent =
          Agent.start(
              AgentConfig.builder()
                  .controllerTarget("127.0.0.1:" + controller.grpcPort())
                  .joinToken(joinToken)
                  .stateDir(dir.resolve("agent"))
                  .simulate(simulation)
                  .build());
      running.add(0, agent);
      String target = "127.0.0.1:" + controller.grpcPort();
      String adminToken = adminToken(controller, dir.resolve("controller"));
      SavedTokens saved = SavedTokens.forUser(System.getenv(), System.getProperty("user.home"));
      String tokenLine;
      try {
        Path file = saved.save(target, adminToken);
        running.add(() -> saved.forget(target, adminToken));
        tokenLine =
            "gpupool dev: the CLI on this machine uses the admin token saved in "
                + file
                + "; elsewhere: export GPUPOOL_TOKEN=$(cat "
                + file
                + ")";
      } catch (IOException e) {
        tokenLine =
            "gpupool dev: could not save the admin token for the CLI ("
                + e.getMessage()
                + "); use it with: export GPUPOOL_TOKEN=$(cat "
                + dir.resolve("controller").resolve(AdminTokenFile.FILE_NAME)
                + ")";
      }
      if (temporary) {
        running.add(() -> deleteRecursively(dir));
      }
      System.out.println(
          "gpupool dev: controller on 127.0.0.1:"
              + controller.grpcPort()
              + (controller.httpPort() < 0 ? "" : " (HTTP " + controller.httpPort() + ")")
              + ", node "
              + agent.nodeId()
              + " connected, data in "
              + dir
              + (temporary ? " (deleted on exit)" : ""));
      System.out.println(
          "gpupool dev: try  bin/gpupool submit"
              + (controller.grpcPort() == 7070
                  ? ""
                  : " --controller 127.0.0.1:" + controller.grpcPort())
              + " --gpus 1 --watch -- bash -c 'echo $CUDA_VISIBLE_DEVICES'   (Ctrl-C stops)");
      System.out.println(tokenLine);
      System.out.flush();
    } catch (Exception e) {
      UntilInterrupted.closeAll(running);
      throw e;
    }
    UntilInterrupted.await(running);
    return 0;
  }

  /**
   * The secret of DATA_DIR/admin.token; a new admin token when that file is gone (a kept --data-dir
   * whose file was deleted), so that dev mode always has one to hand to the CLI.
   */
  private static String adminToken(Controller controller, Path controllerDir) throws IOException {
    Path file = controllerDir.resolve(AdminTokenFile.FILE_NAME);
    if (Files.isRegularFile(file)) {
      return Files.readString(file).strip();
    }
    return controller.createToken(Role.ROLE_ADMIN, "", "gpupool dev CLI");
  }

  private static byte[] randomBytes(int count) {
    byte[] bytes = new byte[count];
    new SecureRandom().nextBytes(bytes);
    return bytes;
  }

  /** "4x NVIDIA H100 80GB" for "4xH100-80GB"; a bad spec fails here, before anything starts. */
  private static String describe(String simulation) {
    return SimulateSpec.parse(simulation).groups().stream()
        .map(g -> g.count() + "x " + g.deviceModel())
        .collect(Collectors.joining(", "));
  }

  private static void deleteRecursively(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}
