package io.gpupool.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's tour, as a user runs it: {@code bin/gpupool dev} in one process, {@code bin/gpupool
 * submit/get/list/logs/cancel/nodes} in others, through the launcher and the runnable jar. The CLI
 * gets no token: it finds the one dev mode saved in the user's config dir (here a temporary
 * XDG_CONFIG_HOME, so the test leaves the real home alone).
 */
@Timeout(180)
class DevModeIT {
  @TempDir static Path dir;
  private static Process dev;
  private static final List<String> devOutput = new CopyOnWriteArrayList<>();
  private static String controller;
  private static int httpPort;
  private static Map<String, String> env;

  @BeforeAll
  static void startDev() throws Exception {
    int port = freePort();
    httpPort = freePort();
    controller = "127.0.0.1:" + port;
    env = Map.of("XDG_CONFIG_HOME", dir.resolve("config").toString());
    ProcessBuilder devProcess =
        new ProcessBuilder(
                gpupool().toString(),
                "dev",
                "--port",
                "" + port,
                "--http-port",
                "" + httpPort,
                "--data-dir",
                dir.resolve("dev").toString())
            .redirectError(dir.resolve("dev.err").toFile());
    devProcess.environment().putAll(env);
    dev = devProcess.start();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader lines =
                  new BufferedReader(
                      new InputStreamReader(dev.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                  devOutput.add(line);
                }
              } catch (IOException e) {
                devOutput.add("<read failed: " + e + ">");
              }
            });
    reader.setDaemon(true);
    reader.start();
    await().atMost(Duration.ofSeconds(60)).until(() -> devOutput.size() >= 4 || !dev.isAlive());
  }

  @AfterAll
  static void stopDev() throws Exception {
    if (dev != null) {
      dev.destroy();
      if (!dev.waitFor(20, TimeUnit.SECONDS)) {
        dev.destroyForcibly();
      }
    }
  }

  @Test
  void theFirstLineSaysTheAgentRunsSimulatedGpus() {
    assertThat(devOutput.get(0))
        .contains("SIMULATED GPUs: 4x NVIDIA H100 80GB")
        .contains("--simulate 4xH100-80GB");
  }

  @Test
  void submitWatchStreamsStatesProgressAndLogsAndExitsWithTheTaskExitCode() throws Exception {
    ExternalCommand.Result ok =
        cli(
            "submit",
            "--gpus",
            "1",
            "--name",
            "hello",
            "--watch",
            "--",
            "bash",
            "-c",
            "echo $CUDA_VISIBLE_DEVICES; for i in 1 2 3; do echo \"##gpupool progress=$((i*33)) step $i\"; done");
    List<String> lines = ok.stdout().lines().toList();

    assertThat(ok.exitCode()).as(ok.stderr()).isZero();
    assertThat(lines.get(0)).matches("t-\\d+");
    assertThat(String.join("\n", lines))
        .containsPattern("PENDING")
        .containsPattern("RUNNING running on .* \\(GPU \\d\\)")
        .contains("progress 33% step 1")
        .contains("progress 99% step 3")
        .containsPattern("SUCCEEDED exited with code 0");
    assertThat(lines).anyMatch(line -> line.matches("\\d"));

    String id = lines.get(0);
    ExternalCommand.Result json = cli("get", id, "--output", "json");
    assertThat(json.stdout())
        .contains("\"state\": \"TASK_STATE_SUCCEEDED\"")
        .contains("\"id\": \"" + id + "\"");
    ExternalCommand.Result logs = cli("logs", id);
    assertThat(logs.stdout().lines()).singleElement().matches(line -> line.matches("\\d"));
    assertThat(cli("list").stdout()).contains(id).contains("hello").contains("SUCCEEDED");
  }

  @Test
  void aFailingTaskMakesSubmitWatchExitWithItsCode() throws Exception {
    ExternalCommand.Result failed =
        cli("submit", "--watch", "--", "bash", "-c", "echo oops >&2; exit 5");

    assertThat(failed.exitCode()).isEqualTo(5);
    assertThat(failed.stderr()).contains("oops");
    assertThat(failed.stdout()).contains("FAILED exited with code 5");
  }

  @Test
  void cancelStopsARunningTask() throws Exception {
    String id = cli("submit", "--", "sleep", "600").stdout().lines().findFirst().orElseThrow();
    await().atMost(Duration.ofSeconds(30)).until(() -> cli("get", id).stdout().contains("RUNNING"));

    ExternalCommand.Result cancel = cli("cancel", id);
    assertThat(cancel.exitCode()).as(cancel.stderr()).isZero();

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> cli("get", id, "-o", "json").stdout().contains("TASK_STATE_CANCELLED"));
  }

  @Test
  void nodesShowTheSimulatedGpusAndHealthzAnswers() throws Exception {
    ExternalCommand.Result nodes = cli("nodes");
    assertThat(nodes.exitCode()).as(nodes.stderr()).isZero();
    assertThat(nodes.stdout()).contains("READY").contains("NVIDIA H100 80GB");
    assertThat(cli("nodes", "-o", "json").stdout()).contains("\"state\": \"NODE_STATE_READY\"");

    HttpResponse<String> health =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/healthz"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(health.statusCode()).isEqualTo(200);
  }

  @Test
  void devModeSavesItsAdminTokenForTheCliAndSaysHowToUseItElsewhere() throws Exception {
    Path saved = dir.resolve("config/gpupool/tokens/localhost_" + controller.split(":")[1]);

    assertThat(devOutput)
        .contains(
            "gpupool dev: the CLI on this machine uses the admin token saved in "
                + saved
                + "; elsewhere: export GPUPOOL_TOKEN=$(cat "
                + saved
                + ")");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(saved)))
        .isEqualTo("rw-------");
    assertThat(cli("whoami").stdout()).contains("role admin");
  }

  @Test
  void errorsAreOneLineWithoutStackTraces() throws Exception {
    ExternalCommand.Result missing = cli("get", "t-424242");
    assertThat(missing.exitCode()).isEqualTo(1);
    assertThat(missing.stderr().strip()).isEqualTo("error: NOT_FOUND: task t-424242 not found");

    ExternalCommand.Result unreachable =
        ExternalCommand.run(
            ExternalCommand.of(gpupool(), "list", "--controller", "127.0.0.1:" + freePort()),
            env,
            60);
    assertThat(unreachable.exitCode()).isEqualTo(1);
    assertThat(unreachable.stderr()).contains("UNAVAILABLE").doesNotContain("\tat ");
  }

  /** Runs bin/gpupool SUBCOMMAND --controller=... ARGS... */
  private static ExternalCommand.Result cli(String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(gpupool().toString());
    command.add(args[0]);
    command.add("--controller=" + controller);
    command.addAll(List.of(args).subList(1, args.length));
    return ExternalCommand.run(command, env, 120);
  }

  private static Path gpupool() {
    return ExternalCommand.repoRoot().resolve("bin/gpupool");
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
