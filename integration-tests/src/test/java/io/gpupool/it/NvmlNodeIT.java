package io.gpupool.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gpupool.agent.device.FakeNvml;
import io.gpupool.cli.GpuPoolCommand;
import io.gpupool.client.GpuPoolClient;
import io.gpupool.client.TaskHandle;
import io.gpupool.client.TaskResult;
import io.gpupool.client.TaskSpec;
import io.gpupool.client.TaskState;
import io.gpupool.proto.v1.GetTaskRequest;
import io.gpupool.proto.v1.Task;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * An agent on a stand-in libnvidia-ml.so.1 (built from C with gcc during the test, loaded through
 * the same JNA binding as the real one, via --nvml-library): what the "driver" says reaches {@code
 * gpupool nodes}, and a GPU that starts reporting uncorrected ECC errors is quarantined, its task
 * is moved to the healthy GPU, and an admin can clear it once it is repaired.
 */
@Timeout(120)
class NvmlNodeIT {
  @TempDir Path dir;

  @Test
  void theDriversValuesReachGpupoolNodes() throws Exception {
    FakeNvml nvml = FakeNvml.twoH100s(Files.createDirectories(dir.resolve("nvml")));
    try (TestCluster cluster = TestCluster.start(dir)) {
      startNvmlAgent(cluster, nvml);

      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () ->
                  assertThat(cli(cluster, "nodes").replaceAll(" +", " "))
                      .contains("nvml-node READY 2/2 NVIDIA H100 80GB HBM3")
                      .contains("550.54.15 (CUDA 12.4)")
                      .contains(
                          "gpu 0 NVIDIA H100 80GB HBM3 1.0/80.0 GiB 40% 251/700 W 45 C free ok")
                      .contains(
                          "gpu 1 NVIDIA H100 80GB HBM3 2.0/80.0 GiB 41% 252/700 W 46 C free ok"));
    }
  }

  @Test
  void aGpuWithUncorrectedEccErrorsIsQuarantinedItsTaskMovesAndAnAdminCanClearIt()
      throws Exception {
    FakeNvml nvml = FakeNvml.twoH100s(Files.createDirectories(dir.resolve("nvml")));
    try (TestCluster cluster = TestCluster.start(dir)) {
      startNvmlAgent(cluster, nvml);
      GpuPoolClient client = cluster.client();
      Path release = dir.resolve("release");
      TaskHandle task =
          client.submit(
              TaskSpec.builder()
                  .name("on-a-gpu-that-breaks")
                  .command(
                      List.of("bash", "-c", "while [ ! -e " + release + " ]; do sleep 0.05; done"))
                  .gpus(1)
                  .build());
      await().atMost(Duration.ofSeconds(30)).until(() -> task.get().state() == TaskState.RUNNING);
      int broken = task.get().placement().orElseThrow().deviceIndices().get(0);

      nvml.set("dev" + broken + ".ecc_uncorrected", 2);

      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> rawTask(cluster, task).getAttempt() == 2 && isRunning(task));
      assertThat(task.get().placement().orElseThrow().deviceIndices())
          .as("moved to the healthy GPU")
          .containsExactly(1 - broken);
      assertThat(rawTask(cluster, task).getTransitionsList())
          .anySatisfy(t -> assertThat(t.getReason()).startsWith("GPU_UNHEALTHY"));
      assertThat(cli(cluster, "nodes")).contains("gpu " + broken).contains("QUARANTINED:");

      nvml.set("dev" + broken + ".ecc_uncorrected", 0);
      assertThat(cli(cluster, "gpu", "clear-quarantine", "nvml-node", String.valueOf(broken)))
          .contains("quarantine cleared");
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(() -> assertThat(cli(cluster, "nodes")).doesNotContain("QUARANTINED"));

      Files.writeString(release, "go");
      TaskResult result = task.await(Duration.ofSeconds(60));
      assertThat(result.state()).isEqualTo(TaskState.SUCCEEDED);
    }
  }

  private static void startNvmlAgent(TestCluster cluster, FakeNvml nvml) throws Exception {
    cluster.startAgent(
        cluster
            .agentConfig("nvml-node", null)
            .nvmlLibrary(nvml.library())
            .sampleInterval(Duration.ofMillis(100)));
  }

  private static boolean isRunning(TaskHandle task) {
    return task.get().state() == TaskState.RUNNING;
  }

  private static Task rawTask(TestCluster cluster, TaskHandle task) {
    return cluster.api().getTask(GetTaskRequest.newBuilder().setId(task.id()).build()).getTask();
  }

  private static String cli(TestCluster cluster, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine command = new CommandLine(new GpuPoolCommand());
    command.setOut(new PrintWriter(out));
    command.setErr(new PrintWriter(err));
    String[] full = new String[args.length + 4];
    System.arraycopy(args, 0, full, 0, args.length);
    full[args.length] = "--controller";
    full[args.length + 1] = cluster.target();
    full[args.length + 2] = "--token";
    full[args.length + 3] = cluster.adminToken();
    int exit = command.execute(full);
    assertThat(exit).as("gpupool %s failed: %s", String.join(" ", args), err).isZero();
    return out.toString();
  }
}
