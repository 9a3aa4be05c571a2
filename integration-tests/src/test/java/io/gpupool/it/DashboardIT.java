package io.gpupool.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gpupool.client.GpuPoolClient;
import io.gpupool.client.TaskHandle;
import io.gpupool.client.TaskSpec;
import io.gpupool.client.TaskState;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard in a real browser: headless Chromium loads {@code /?token=...} from a controller
 * with simulated agents, runs the page's JavaScript, and the DOM it leaves shows the cluster as the
 * API reports it. Skipped when Chromium is not installed, unless GPUPOOL_REQUIRE_CHROMIUM=1.
 */
@Timeout(180)
class DashboardIT {
  private static final String TASK_NAME = "dashboard-it-long-training-run";

  @TempDir Path dir;

  @Test
  void theDashboardShowsNodesGpusTheRunningTaskAndTheApisGpuTotal() throws Exception {
    Path chromium = chromium();
    int httpPort = freePort();
    try (TestCluster cluster =
        TestCluster.start(
            dir,
            TestCluster.controllerConfig(dir).httpPort(httpPort),
            "2xH100-80GB",
            "1xT4-16GB")) {
      GpuPoolClient client = cluster.client();
      TaskHandle task =
          client.submit(TaskSpec.builder().name(TASK_NAME).command("sleep", "300").gpus(1).build());
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> client.getTask(task.id()).state() == TaskState.RUNNING);
      int gpusFromApi = client.listNodes().stream().mapToInt(n -> n.gpus().size()).sum();

      String dom =
          ExternalCommand.run(
                  ExternalCommand.of(
                      chromium,
                      "--headless=new",
                      "--no-sandbox",
                      "--disable-gpu",
                      "--no-first-run",
                      "--user-data-dir=" + Files.createDirectories(dir.resolve("chromium")),
                      "--virtual-time-budget=8000",
                      "--dump-dom",
                      "http://127.0.0.1:" + httpPort + "/?token=" + cluster.adminToken()),
                  90)
              .stdout();

      assertThat(dom).contains("agent-0", "agent-1", "NVIDIA H100 80GB", TASK_NAME);
      assertThat(number(dom, "sum-gpus-total")).isEqualTo(gpusFromApi).isEqualTo(3);
      assertThat(number(dom, "sum-gpus-used")).isEqualTo(1);
      assertThat(number(dom, "sum-running")).isEqualTo(1);
      // The token was moved out of the URL into local storage; the page is not the login form.
      assertThat(dom).contains("id=\"login\" hidden");
      client.cancel(task.id());
    }
  }

  /** The integer text of the element with this id. */
  private static int number(String dom, String id) {
    Matcher m = Pattern.compile("id=\"" + id + "\"[^>]*>\\s*(\\d+)\\s*<").matcher(dom);
    assertThat(m.find()).as("element #%s with a number in the dumped DOM:%n%s", id, dom).isTrue();
    return Integer.parseInt(m.group(1));
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** chromium or chromium-browser on the PATH; skips the test without one. */
  private static Path chromium() {
    Optional<Path> found = Optional.empty();
    for (String name : new String[] {"chromium", "chromium-browser"}) {
      for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
        Path candidate = Path.of(dir, name);
        if (found.isEmpty() && !dir.isEmpty() && Files.isExecutable(candidate)) {
          found = Optional.of(candidate);
        }
      }
    }
    if (found.isEmpty()) {
      String message = "chromium not found on the PATH: install it with 'apt-get install chromium'";
      if ("1".equals(System.getenv("GPUPOOL_REQUIRE_CHROMIUM"))) {
        throw new AssertionError(message);
      }
      Assumptions.abort(message);
    }
    return found.get();
  }
}
