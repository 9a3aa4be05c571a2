package io.gpupool.agent.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gpupool.agent.cuda.CudaDriverSource;
import io.gpupool.agent.device.GpuProcessUsage;
import io.gpupool.proto.v1.CommandWorkload;
import io.gpupool.proto.v1.Resources;
import io.gpupool.proto.v1.TaskEnded;
import io.gpupool.proto.v1.TaskSpec;
import io.gpupool.proto.v1.TaskUpdate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Command tasks with a GPU share (Resources.gpu_memory_bytes): environment and enforcement. */
@Timeout(60)
class GpuShareTest {

  private static final long SHARE = 4L << 30;

  @TempDir Path stateDir;
  @TempDir Path mpsPipes;

  private final List<TaskUpdate> updates = new CopyOnWriteArrayList<>();
  private final FakeDeviceBackend backend = new FakeDeviceBackend();
  private TaskRunner runner;

  @BeforeEach
  void setUp() {
    runner =
        new TaskRunner(
            backend,
            stateDir,
            Clock.systemUTC(),
            updates::add,
            CudaDriverSource.unavailable("none"),
            Duration.ofMillis(50),
            new MpsControl(mpsPipes));
  }

  @AfterEach
  void tearDown() {
    runner.close();
  }

  private static TaskSpec shared(String script) {
    return TaskSpec.newBuilder()
        .setResources(Resources.newBuilder().setGpuMemoryBytes(SHARE))
        .setCommand(CommandWorkload.newBuilder().addArgv("bash").addArgv("-c").addArgv(script))
        .build();
  }

  private List<String> stdout() {
    return updates.stream()
        .filter(TaskUpdate::hasLogs)
        .flatMap(u -> u.getLogs().getLinesList().stream())
        .map(l -> l.getText())
        .toList();
  }

  private TaskEnded awaitEnded() {
    await().until(() -> updates.stream().anyMatch(TaskUpdate::hasEnded));
    return updates.get(updates.size() - 1).getEnded();
  }

  @Test
  void theShareAndTheMpsLimitsAreInTheEnvironmentWhenAnMpsDaemonRuns() throws Exception {
    Files.createFile(mpsPipes.resolve("control"));

    runner.start(
        "t-1",
        shared(
            "echo \"$GPUPOOL_GPU_MEMORY_BYTES $CUDA_MPS_PINNED_DEVICE_MEM_LIMIT"
                + " $CUDA_MPS_ACTIVE_THREAD_PERCENTAGE\""),
        List.of(1));
    awaitEnded();

    assertThat(stdout()).containsExactly(SHARE + " 0=4096M 25");
  }

  @Test
  void withoutAnMpsDaemonOnlyTheShareIsInTheEnvironment() {
    runner.start(
        "t-1",
        shared("echo \"$GPUPOOL_GPU_MEMORY_BYTES ${CUDA_MPS_PINNED_DEVICE_MEM_LIMIT:-none}\""),
        List.of(0));
    awaitEnded();

    assertThat(stdout()).containsExactly(SHARE + " none");
  }

  @Test
  void aTaskOverItsShareIsStoppedWithGpuMemoryExceeded() {
    runner.start("t-1", shared("echo $$; exec sleep 60"), List.of(0));
    await().until(() -> !stdout().isEmpty());
    int pid = Integer.parseInt(stdout().get(0));

    backend.processes =
        List.of(new GpuProcessUsage(pid, SHARE + (1L << 30)), new GpuProcessUsage(1, 1L << 30));
    TaskEnded ended = awaitEnded();

    assertThat(ended.getResult().getReasonCode()).isEqualTo("GPU_MEMORY_EXCEEDED");
    assertThat(ended.getResult().getMessage())
        .isEqualTo("GPU memory exceeded: the task used 5.00 GiB on GPU 0, its share is 4.00 GiB");
    assertThat(ended.getResult().getExitCode()).as("SIGTERM").isEqualTo(143);
    assertThat(ended.getCancelled()).isFalse();
  }

  @Test
  void aTaskWithinItsShareRunsToItsEnd() {
    backend.processes = List.of(new GpuProcessUsage(1, 100L << 30));

    runner.start("t-1", shared("sleep 0.3; exit 3"), List.of(0));
    TaskEnded ended = awaitEnded();

    assertThat(ended.getResult().getExitCode()).isEqualTo(3);
    assertThat(Optional.of(ended.getResult().getReasonCode())).contains("");
  }
}
