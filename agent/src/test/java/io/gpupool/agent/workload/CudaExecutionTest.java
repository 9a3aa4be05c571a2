package io.gpupool.agent.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.util.Durations;
import io.gpupool.agent.cuda.CudaDeviceProperties;
import io.gpupool.agent.cuda.CudaDriverSource;
import io.gpupool.agent.cuda.FakeCudaDriver;
import io.gpupool.proto.v1.CudaKernelWorkload;
import io.gpupool.proto.v1.DeviceBuffer;
import io.gpupool.proto.v1.DiagnosticWorkload;
import io.gpupool.proto.v1.Dim3;
import io.gpupool.proto.v1.KernelArgument;
import io.gpupool.proto.v1.StartTask;
import io.gpupool.proto.v1.TaskEnded;
import io.gpupool.proto.v1.TaskResult;
import io.gpupool.proto.v1.TaskSpec;
import io.gpupool.proto.v1.TaskUpdate;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** cuda_kernel and diagnostic tasks through the runner, against a fake CUDA driver. */
@Timeout(60)
class CudaExecutionTest {

  private static final String PTX =
      ".version 7.0\n.target sm_75\n.visible .entry k(\n)\n{\n ret;\n}\n";

  @TempDir Path stateDir;

  private final List<TaskUpdate> updates = new CopyOnWriteArrayList<>();
  private final FakeDeviceBackend backend = new FakeDeviceBackend();

  /** A small device, so that the full-size diagnostics copy only 8 MiB in the fake. */
  private final FakeCudaDriver driver =
      new FakeCudaDriver(
          List.of(new CudaDeviceProperties(0, "Fake", "0000:3b:00.0", 9, 0, 2, 64L << 20)));

  private TaskRunner runner;

  @BeforeEach
  void setUp() {
    runner = runner(CudaDriverSource.of(driver));
  }

  private TaskRunner runner(CudaDriverSource cuda) {
    return new TaskRunner(
        backend,
        stateDir,
        Clock.fixed(Instant.parse("2026-11-25T10:00:00Z"), ZoneOffset.UTC),
        updates::add,
        cuda,
        Duration.ofSeconds(1),
        new MpsControl(stateDir.resolve("no-mps")));
  }

  @AfterEach
  void tearDown() {
    runner.close();
  }

  private static TaskSpec.Builder kernelTask() {
    return TaskSpec.newBuilder()
        .setCudaKernel(
            CudaKernelWorkload.newBuilder()
                .setPtx(PTX)
                .setKernel("k")
                .setGrid(Dim3.newBuilder().setX(1))
                .setBlock(Dim3.newBuilder().setX(32))
                .addArguments(
                    KernelArgument.newBuilder()
                        .setBuffer(
                            DeviceBuffer.newBuilder()
                                .setSizeBytes(3)
                                .setFillByte(9)
                                .setOutput(true))));
  }

  private void start(TaskSpec.Builder spec, Integer... devices) {
    assertThat(
            runner.start(
                StartTask.newBuilder()
                    .setTaskId("t-1")
                    .setSpec(spec)
                    .addAllDeviceIndices(List.of(devices))
                    .setAttempt(1)
                    .build()))
        .isTrue();
  }

  private TaskEnded awaitEnded() {
    await().until(() -> updates.stream().anyMatch(TaskUpdate::hasEnded));
    assertThat(updates.get(updates.size() - 1).hasEnded()).isTrue();
    return updates.get(updates.size() - 1).getEnded();
  }

  private boolean started() {
    return updates.stream().anyMatch(TaskUpdate::hasStarted);
  }

  @Test
  void aKernelTaskSucceedsWithItsResultOnTheTaskResult() {
    driver.kernel("k", (params, grid, block) -> {});

    start(kernelTask(), 0);
    TaskResult result = awaitEnded().getResult();

    assertThat(started()).isTrue();
    assertThat(result.getExitCode()).isZero();
    assertThat(result.getKernel().getDeviceUuid()).isEqualTo("GPU-0");
    assertThat(result.getKernel().getElapsedMs()).isEqualTo(2.5);
    assertThat(result.getKernel().getOutputs(0).getData().toByteArray()).containsExactly(9, 9, 9);
    assertThat(driver.live).isEmpty();
  }

  @Test
  void aCudaErrorFailsTheTaskWithTheErrorNameAndNoExitCode() {
    driver.failOn("loadModule", "CUDA_ERROR_INVALID_PTX");

    start(kernelTask(), 0);
    TaskResult result = awaitEnded().getResult();

    assertThat(result.hasExitCode()).isFalse();
    assertThat(result.getReasonCode()).isEqualTo("CUDA_ERROR_INVALID_PTX");
    assertThat(result.getMessage())
        .isEqualTo("loading the PTX module failed: CUDA_ERROR_INVALID_PTX");
  }

  @Test
  void aKernelOnTwoGpusIsRefusedBeforeTheDriverIsTouched() {
    start(kernelTask(), 0, 1);
    TaskEnded ended = awaitEnded();

    assertThat(started()).isFalse();
    assertThat(ended.getResult().getReasonCode()).isEqualTo("CUDA_ERROR_INVALID_DEVICE");
    assertThat(driver.calls).isEmpty();
  }

  @Test
  void aKernelOverTheLimitsFailsWithInvalidValue() {
    TaskSpec.Builder spec = kernelTask();
    spec.getCudaKernelBuilder().setBlock(Dim3.newBuilder().setX(1025));

    start(spec, 0);

    assertThat(awaitEnded().getResult().getReasonCode()).isEqualTo("CUDA_ERROR_INVALID_VALUE");
    assertThat(driver.calls).isEmpty();
  }

  @Test
  void withoutADriverTheTaskFailsAsCudaUnavailable() {
    runner.close();
    runner = runner(CudaDriverSource.unavailable("CUDA driver library libcuda.so.1 not found: x"));

    start(kernelTask(), 0);
    TaskResult result = awaitEnded().getResult();

    assertThat(result.getReasonCode()).isEqualTo("CUDA_UNAVAILABLE");
    assertThat(result.getMessage()).startsWith("CUDA driver library libcuda.so.1 not found");
    assertThat(result.hasExitCode()).isFalse();
  }

  @Test
  void aCancelledKernelIsReportedCancelledWhenItEnds() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch running = new CountDownLatch(1);
    driver.kernel("k", (params, grid, block) -> blockUntil(running, release));

    start(kernelTask(), 0);
    running.await();
    assertThat(runner.cancel("t-1", Duration.ZERO)).isTrue();
    assertThat(updates.stream().anyMatch(TaskUpdate::hasEnded)).as("not before it ends").isFalse();
    release.countDown();
    TaskEnded ended = awaitEnded();

    assertThat(ended.getCancelled()).isTrue();
    assertThat(ended.getResult().getMessage())
        .startsWith("cancelled (a CUDA kernel cannot be interrupted");
    assertThat(driver.live).isEmpty();
  }

  @Test
  void aPreemptedKernelIsReportedPreemptedWhenItEnds() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch running = new CountDownLatch(1);
    driver.kernel("k", (params, grid, block) -> blockUntil(running, release));

    start(kernelTask(), 0);
    running.await();
    assertThat(runner.preempt("t-1", "higher priority", Duration.ZERO)).isTrue();
    release.countDown();
    TaskEnded ended = awaitEnded();

    assertThat(ended.getPreempted()).isTrue();
    assertThat(ended.getResult().getExitCode()).as("the kernel finished").isZero();
    assertThat(ended.getResult().getMessage()).startsWith("preempted: higher priority");
  }

  @Test
  void aKernelPastItsMaxRuntimeFailsWhenItEnds() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch running = new CountDownLatch(1);
    driver.kernel("k", (params, grid, block) -> blockUntil(running, release));

    start(kernelTask().setMaxRuntime(Durations.fromMillis(50)), 0);
    running.await();
    await().pollDelay(Duration.ofMillis(100)).until(() -> true);
    release.countDown();
    TaskResult result = awaitEnded().getResult();

    assertThat(result.hasExitCode()).isFalse();
    assertThat(result.getReasonCode()).isEqualTo(CudaExecution.MAX_RUNTIME_EXCEEDED);
    assertThat(result.getKernel().getOutputsCount()).as("the result is kept").isEqualTo(1);
  }

  @Test
  void aPassingDiagnosticEndsTheDevicesQuarantine() {
    start(TaskSpec.newBuilder().setDiagnostic(DiagnosticWorkload.getDefaultInstance()), 0);
    TaskResult result = awaitEnded().getResult();

    assertThat(result.getExitCode()).as(result.getMessage()).isZero();
    assertThat(result.getDiagnostic().getDevices(0).getPassed()).isTrue();
    assertThat(backend.diagnosticsPassed).containsExactly(0);
  }

  @Test
  void aFailingDiagnosticFailsTheTaskAndKeepsTheQuarantine() {
    driver.computeWrongResults();

    start(TaskSpec.newBuilder().setDiagnostic(DiagnosticWorkload.getDefaultInstance()), 0);
    TaskResult result = awaitEnded().getResult();

    assertThat(result.hasExitCode()).isFalse();
    assertThat(result.getReasonCode()).isEqualTo("DIAGNOSTIC_FAILED");
    assertThat(result.getMessage()).startsWith("diagnostics failed on GPU 0: ");
    assertThat(backend.diagnosticsPassed).isEmpty();
  }

  private static void blockUntil(CountDownLatch running, CountDownLatch release) {
    running.countDown();
    try {
      release.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
