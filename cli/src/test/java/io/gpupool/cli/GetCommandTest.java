package io.gpupool.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.util.JsonFormat;
import io.gpupool.proto.v1.CommandWorkload;
import io.gpupool.proto.v1.CudaKernelWorkload;
import io.gpupool.proto.v1.DeviceBuffer;
import io.gpupool.proto.v1.DeviceDiagnostic;
import io.gpupool.proto.v1.DiagnosticReport;
import io.gpupool.proto.v1.DiagnosticWorkload;
import io.gpupool.proto.v1.Dim3;
import io.gpupool.proto.v1.KernelArgument;
import io.gpupool.proto.v1.KernelOutput;
import io.gpupool.proto.v1.KernelResult;
import io.gpupool.proto.v1.Placement;
import io.gpupool.proto.v1.Progress;
import io.gpupool.proto.v1.Resources;
import io.gpupool.proto.v1.StateTransition;
import io.gpupool.proto.v1.Task;
import io.gpupool.proto.v1.TaskResult;
import io.gpupool.proto.v1.TaskSpec;
import io.gpupool.proto.v1.TaskState;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class GetCommandTest {
  private static final Task DONE =
      Task.newBuilder()
          .setId("t-3")
          .setSpec(
              TaskSpec.newBuilder()
                  .setName("train")
                  .setResources(Resources.newBuilder().setGpus(2).setGpuModel("H100"))
                  .setCommand(CommandWorkload.newBuilder().addArgv("python").addArgv("train.py"))
                  .putLabels("team", "ml"))
          .setState(TaskState.TASK_STATE_SUCCEEDED)
          .setReason("exited 0")
          .setCreateTime(TestEvents.at(-300))
          .setStartTime(TestEvents.at(-240))
          .setEndTime(TestEvents.at(-60))
          .setPlacement(
              Placement.newBuilder()
                  .setNodeId("n-1")
                  .setNodeName("node-a")
                  .addDeviceIndices(2)
                  .addDeviceIndices(3)
                  .addDeviceUuids("GPU-2")
                  .addDeviceUuids("GPU-3"))
          .setResult(TaskResult.newBuilder().setExitCode(0).setMessage("ok"))
          .setProgress(Progress.newBuilder().setPercent(100).setStep(3).setTotalSteps(3))
          .addTransitions(
              StateTransition.newBuilder()
                  .setState(TaskState.TASK_STATE_PENDING)
                  .setReason("queued")
                  .setTime(TestEvents.at(-300)))
          .addTransitions(
              StateTransition.newBuilder()
                  .setState(TaskState.TASK_STATE_SUCCEEDED)
                  .setReason("exited 0")
                  .setTime(TestEvents.at(-60)))
          .setRequestId("r-9")
          .build();

  private static final Task KERNEL =
      Task.newBuilder()
          .setId("t-5")
          .setSpec(
              TaskSpec.newBuilder()
                  .setResources(Resources.newBuilder().setGpus(1))
                  .setCudaKernel(
                      CudaKernelWorkload.newBuilder()
                          .setPtx(".entry saxpy()")
                          .setKernel("saxpy")
                          .setGrid(Dim3.newBuilder().setX(4))
                          .setBlock(Dim3.newBuilder().setX(256))
                          .addArguments(KernelArgument.newBuilder().setInt32Value(1))
                          .addArguments(
                              KernelArgument.newBuilder()
                                  .setBuffer(
                                      DeviceBuffer.newBuilder().setSizeBytes(4).setOutput(true)))
                          .addArguments(
                              KernelArgument.newBuilder()
                                  .setBuffer(
                                      DeviceBuffer.newBuilder()
                                          .setSizeBytes(100)
                                          .setOutput(true)))))
          .setState(TaskState.TASK_STATE_SUCCEEDED)
          .setResult(
              TaskResult.newBuilder()
                  .setKernel(
                      KernelResult.newBuilder()
                          .setElapsedMs(1.2345)
                          .setDeviceUuid("GPU-a")
                          .addOutputs(
                              KernelOutput.newBuilder()
                                  .setArgumentIndex(1)
                                  .setData(
                                      ByteString.copyFrom(new byte[] {0, 1, (byte) 0xab, 0x7f})))
                          .addOutputs(
                              KernelOutput.newBuilder()
                                  .setArgumentIndex(2)
                                  .setData(ByteString.copyFrom(sequence(70)))
                                  .setTruncated(true))))
          .build();

  private static final Task DIAGNOSTIC =
      Task.newBuilder()
          .setId("t-6")
          .setSpec(
              TaskSpec.newBuilder()
                  .setResources(Resources.newBuilder().setGpus(2).setNode("node-a"))
                  .setDiagnostic(DiagnosticWorkload.getDefaultInstance()))
          .setState(TaskState.TASK_STATE_FAILED)
          .setResult(
              TaskResult.newBuilder()
                  .setReasonCode("DIAGNOSTIC_FAILED")
                  .setMessage("1 of 2 GPUs failed")
                  .setDiagnostic(
                      DiagnosticReport.newBuilder()
                          .addDevices(
                              DeviceDiagnostic.newBuilder()
                                  .setDeviceIndex(0)
                                  .setDeviceUuid("GPU-a")
                                  .setMemoryBandwidthGbps(3012.46)
                                  .setFmaGflops(51234.5)
                                  .setPassed(true))
                          .addDevices(
                              DeviceDiagnostic.newBuilder()
                                  .setDeviceIndex(1)
                                  .setDeviceUuid("GPU-b")
                                  .setMemoryBandwidthGbps(12)
                                  .setMessage("wrong results from the FMA kernel"))))
          .build();

  private static byte[] sequence(int length) {
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      bytes[i] = (byte) i;
    }
    return bytes;
  }

  @TempDir Path dir;

  private CliHarness cli;

  @BeforeEach
  void startFakeController() throws Exception {
    cli = new CliHarness();
    cli.scheduler.put(DONE);
    cli.scheduler.put(KERNEL);
    cli.scheduler.put(DIAGNOSTIC);
  }

  @AfterEach
  void stopFakeController() throws Exception {
    cli.close();
  }

  @Test
  void jsonPrintsTheTaskInProto3JsonThatParsesBack() throws Exception {
    CliHarness.Result result = cli.run("get", "t-3", "-o", "json");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).contains("\"state\": \"TASK_STATE_SUCCEEDED\"");
    Task.Builder parsed = Task.newBuilder();
    JsonFormat.parser().merge(result.out(), parsed);
    assertThat(parsed.build()).isEqualTo(DONE);
  }

  @Test
  void humanFormShowsStatePlacementTimesResultProgressAndTransitions() {
    CliHarness.Result result = cli.run("get", "t-3");

    assertThat(result.exitCode()).isZero();
    assertThat(result.outLines())
        .containsExactly(
            "ID:          t-3",
            "Name:        train",
            "State:       SUCCEEDED (exited 0)",
            "Tenant:      default, priority 0",
            "GPUs:        2 (model H100)",
            "Node:        node-a gpus 2,3",
            "Command:     python train.py",
            "Created:     2026-11-03 11:55:00 (5m ago)",
            "Started:     2026-11-03 11:56:00 (4m ago)",
            "Ended:       2026-11-03 11:59:00 (1m ago)",
            "Result:      exit code 0: ok",
            "Progress:    100% step 3/3",
            "Request id:  r-9",
            "Labels:      team=ml",
            "Transitions:",
            "  2026-11-03 11:55:00  PENDING    queued",
            "  2026-11-03 11:59:00  SUCCEEDED  exited 0");
  }

  @Test
  void pendingTaskShowsDashesForWhatDidNotHappenYet() {
    cli.scheduler.put(
        Task.newBuilder()
            .setId("t-4")
            .setState(TaskState.TASK_STATE_PENDING)
            .setReason("waiting for 8 free GPUs")
            .setSpec(TaskSpec.newBuilder().setResources(Resources.newBuilder().setGpus(8)))
            .build());

    CliHarness.Result result = cli.run("get", "t-4");

    assertThat(result.outLines())
        .contains(
            "State:    PENDING (waiting for 8 free GPUs)",
            "Node:     -",
            "Started:  -",
            "Ended:    -");
  }

  @Test
  void showsSchedulingDetailsExpectedStartAndEta() {
    cli.scheduler.put(
        Task.newBuilder()
            .setId("t-8")
            .setState(TaskState.TASK_STATE_PENDING)
            .setReason("next in line")
            .setSpec(
                io.gpupool.proto.v1.TaskSpec.newBuilder()
                    .setTenant("research")
                    .setPriority(10)
                    .setPreemptible(true))
            .setGang(
                io.gpupool.proto.v1.GangMembership.newBuilder().setId("t-7").setRank(1).setSize(4))
            .setAttempt(2)
            .setExpectedStartTime(TestEvents.at(600))
            .setExpectedEndTime(TestEvents.at(7200))
            .build());

    CliHarness.Result result = cli.run("get", "t-8");

    assertThat(result.outLines())
        .contains(
            "Tenant:          research, priority 10, preemptible",
            "Gang:            t-7 (rank 1 of 4)",
            "Attempt:         2",
            "Expected start:  2026-11-03 12:10:00 (in 10m)",
            "ETA:             2026-11-03 14:00:00 (in 2h)");
  }

  @Test
  void aKernelTaskShowsItsLaunchTimeAndOutputsAsHexCutAfter64Bytes() {
    CliHarness.Result result = cli.run("get", "t-5");

    assertThat(result.exitCode()).isZero();
    StringBuilder first64 = new StringBuilder();
    for (int i = 0; i < 64; i++) {
      first64.append(String.format("%02x", i));
    }
    assertThat(result.outLines())
        .contains(
            "CUDA kernel:  saxpy grid 4x1x1 block 256x1x1, 3 args",
            "Kernel:  1.235 ms on GPU-a",
            "Outputs:",
            "  arg 1  4 bytes               0001ab7f",
            "  arg 2  70 bytes (truncated)  " + first64 + "...");
  }

  @Test
  void outputDirWritesEachOutputBufferToArgNBin() throws Exception {
    Path out = dir.resolve("outs");

    CliHarness.Result result = cli.run("get", "t-5", "--output-dir", out.toString());

    assertThat(result.exitCode()).isZero();
    assertThat(Files.readAllBytes(out.resolve("arg1.bin"))).containsExactly(0, 1, 0xab, 0x7f);
    assertThat(Files.readAllBytes(out.resolve("arg2.bin"))).isEqualTo(sequence(70));
    assertThat(result.outLines())
        .contains(
            "  arg 1  4 bytes               -> " + out.resolve("arg1.bin"),
            "  arg 2  70 bytes (truncated)  -> " + out.resolve("arg2.bin"));
  }

  @Test
  void anOutputDirThatCannotBeWrittenIsAnErrorNamingTheFlag() throws Exception {
    Path file = Files.writeString(dir.resolve("plain-file"), "x");

    CliHarness.Result result = cli.run("get", "t-5", "--output-dir", file.toString());

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err()).startsWith("error: --output-dir: cannot write");
  }

  @Test
  void aDiagnosticTaskShowsATableOfItsGpusAndTheReasonCode() {
    CliHarness.Result result = cli.run("get", "t-6");

    assertThat(result.exitCode()).isZero();
    assertThat(result.outLines())
        .contains(
            "Diagnostic:  all checks",
            "Result:      DIAGNOSTIC_FAILED: 1 of 2 GPUs failed",
            "Diagnostics:",
            "  GPU  UUID   GB/S    GFLOP/S  PASSED",
            "  0    GPU-a  3012.5  51234.5  yes",
            "  1    GPU-b  12.0    -        NO      wrong results from the FMA kernel");
  }
}
