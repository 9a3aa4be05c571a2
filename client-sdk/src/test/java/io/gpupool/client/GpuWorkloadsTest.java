package io.gpupool.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.gpupool.proto.v1.CudaKernelWorkload;
import io.gpupool.proto.v1.DeviceBuffer;
import io.gpupool.proto.v1.DiagnosticWorkload;
import io.gpupool.proto.v1.GetTaskResponse;
import io.gpupool.proto.v1.KernelArgument;
import io.gpupool.proto.v1.Resources;
import io.gpupool.proto.v1.TaskState;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Submitting CUDA kernel and diagnostic tasks, and reading their results back. */
@Timeout(60)
class GpuWorkloadsTest {
  private InProcessController controller;
  private FakeScheduler fake;
  private GpuPoolClient client;

  @BeforeEach
  void start() throws Exception {
    controller = new InProcessController();
    fake = controller.scheduler;
    client = controller.clientBuilder().build();
  }

  @AfterEach
  void stop() {
    client.close();
    controller.close();
  }

  @Test
  void aKernelTaskSendsEveryLaunchParameterAndArgumentInOrder() {
    CudaKernel kernel =
        CudaKernel.builder()
            .ptx(".version 8.0\n.entry saxpy()")
            .kernel("saxpy")
            .grid(Dim3.of(4, 2))
            .block(Dim3.of(256))
            .sharedMemoryBytes(1024)
            .arguments(
                io.gpupool.client.KernelArgument.int32(-5),
                io.gpupool.client.KernelArgument.int64(1L << 40),
                io.gpupool.client.KernelArgument.float32(1.5f),
                io.gpupool.client.KernelArgument.float64(2.25),
                io.gpupool.client.KernelArgument.buffer(16),
                io.gpupool.client.KernelArgument.filledBuffer(8, 255).asOutput(),
                io.gpupool.client.KernelArgument.bufferOf(4, new byte[] {1, 2}).asOutput())
            .build();

    client.submit(
        TaskSpec.builder().name("k").cudaKernel(kernel).node("gpu-box-1").deviceIndices(3).build());

    io.gpupool.proto.v1.TaskSpec sent = fake.submits.get(0).getSpec();
    assertThat(sent.hasCommand()).isFalse();
    assertThat(sent.getResources())
        .isEqualTo(
            Resources.newBuilder().setGpus(1).setNode("gpu-box-1").addDeviceIndices(3).build());
    assertThat(sent.getCudaKernel())
        .isEqualTo(
            CudaKernelWorkload.newBuilder()
                .setPtx(".version 8.0\n.entry saxpy()")
                .setKernel("saxpy")
                .setGrid(io.gpupool.proto.v1.Dim3.newBuilder().setX(4).setY(2).setZ(1))
                .setBlock(io.gpupool.proto.v1.Dim3.newBuilder().setX(256).setY(1).setZ(1))
                .setSharedMemoryBytes(1024)
                .addArguments(KernelArgument.newBuilder().setInt32Value(-5))
                .addArguments(KernelArgument.newBuilder().setInt64Value(1L << 40))
                .addArguments(KernelArgument.newBuilder().setFloatValue(1.5f))
                .addArguments(KernelArgument.newBuilder().setDoubleValue(2.25))
                .addArguments(
                    KernelArgument.newBuilder()
                        .setBuffer(DeviceBuffer.newBuilder().setSizeBytes(16)))
                .addArguments(
                    KernelArgument.newBuilder()
                        .setBuffer(
                            DeviceBuffer.newBuilder()
                                .setSizeBytes(8)
                                .setFillByte(255)
                                .setOutput(true)))
                .addArguments(
                    KernelArgument.newBuilder()
                        .setBuffer(
                            DeviceBuffer.newBuilder()
                                .setSizeBytes(4)
                                .setData(ByteString.copyFrom(new byte[] {1, 2}))
                                .setOutput(true)))
                .build());
  }

  @Test
  void aDiagnosticTaskSendsItsChecksAndAsManyGpusAsDeviceIndices() {
    client.submit(
        TaskSpec.builder()
            .diagnostic(Diagnostic.of(DiagnosticCheck.FMA_THROUGHPUT))
            .node("n-1")
            .deviceIndices(0, 1)
            .build());
    client.submit(TaskSpec.builder().diagnostic(Diagnostic.all()).build());

    io.gpupool.proto.v1.TaskSpec pinned = fake.submits.get(0).getSpec();
    assertThat(pinned.getDiagnostic())
        .isEqualTo(
            DiagnosticWorkload.newBuilder()
                .addChecks(io.gpupool.proto.v1.DiagnosticCheck.DIAGNOSTIC_CHECK_FMA_THROUGHPUT)
                .build());
    assertThat(pinned.getResources().getGpus()).isEqualTo(2);
    assertThat(pinned.getResources().getDeviceIndicesList()).containsExactly(0, 1);
    io.gpupool.proto.v1.TaskSpec all = fake.submits.get(1).getSpec();
    assertThat(all.hasDiagnostic()).isTrue();
    assertThat(all.getDiagnostic().getChecksList()).isEmpty();
    assertThat(all.getResources().getNode()).isEmpty();
  }

  @Test
  void getTaskMapsTheKernelResultDiagnosticReportAndReasonCode() {
    io.gpupool.proto.v1.Task kernelTask =
        Protos.endedTask("t-1", TaskState.TASK_STATE_SUCCEEDED, 0, "").toBuilder()
            .setResult(
                io.gpupool.proto.v1.TaskResult.newBuilder()
                    .setKernel(
                        io.gpupool.proto.v1.KernelResult.newBuilder()
                            .setElapsedMs(1.25)
                            .setDeviceUuid("GPU-a")
                            .addOutputs(
                                io.gpupool.proto.v1.KernelOutput.newBuilder()
                                    .setArgumentIndex(2)
                                    .setData(ByteString.copyFrom(new byte[] {9, 8}))
                                    .setTruncated(true))))
            .build();
    io.gpupool.proto.v1.Task diagnosticTask =
        Protos.endedTask("t-2", TaskState.TASK_STATE_FAILED, 0, "").toBuilder()
            .setResult(
                io.gpupool.proto.v1.TaskResult.newBuilder()
                    .setReasonCode("DIAGNOSTIC_FAILED")
                    .setDiagnostic(
                        io.gpupool.proto.v1.DiagnosticReport.newBuilder()
                            .addDevices(
                                io.gpupool.proto.v1.DeviceDiagnostic.newBuilder()
                                    .setDeviceIndex(0)
                                    .setDeviceUuid("GPU-a")
                                    .setMemoryBandwidthGbps(3012.5)
                                    .setFmaGflops(51000)
                                    .setPassed(true))
                            .addDevices(
                                io.gpupool.proto.v1.DeviceDiagnostic.newBuilder()
                                    .setDeviceIndex(1)
                                    .setDeviceUuid("GPU-b")
                                    .setMemoryBandwidthGbps(12)
                                    .setMessage("bandwidth 12 GB/s below 50% of expected"))))
            .build();
    fake.onGet =
        request ->
            GetTaskResponse.newBuilder()
                .setTask(request.getId().equals("t-1") ? kernelTask : diagnosticTask)
                .build();

    Task kernel = client.getTask("t-1");
    Task diagnostic = client.getTask("t-2");

    assertThat(kernel.resultReasonCode()).isEmpty();
    assertThat(kernel.diagnosticReport()).isEmpty();
    assertThat(kernel.kernelResult())
        .contains(
            new KernelResult(1.25, "GPU-a", List.of(new KernelOutput(2, new byte[] {9, 8}, true))));
    assertThat(kernel.kernelResult().orElseThrow().output(2).orElseThrow().data())
        .containsExactly(9, 8);
    assertThat(kernel.kernelResult().orElseThrow().output(0)).isEmpty();
    assertThat(diagnostic.resultReasonCode()).isEqualTo("DIAGNOSTIC_FAILED");
    assertThat(diagnostic.kernelResult()).isEmpty();
    DiagnosticReport report = diagnostic.diagnosticReport().orElseThrow();
    assertThat(report.devices())
        .containsExactly(
            new DeviceDiagnostic(
                0, "GPU-a", OptionalDouble.of(3012.5), OptionalDouble.of(51000), true, ""),
            new DeviceDiagnostic(
                1,
                "GPU-b",
                OptionalDouble.of(12),
                OptionalDouble.empty(),
                false,
                "bandwidth 12 GB/s below 50% of expected"));
    assertThat(report.passed()).isFalse();
  }

  @Test
  void theResultOfAwaitExposesTheTasksKernelResultAndReasonCode() {
    Task task = taskWith("CUDA_ERROR_INVALID_PTX");
    TaskResult result = new TaskResult(task.state(), task.exitCode(), "", task);

    assertThat(result.reasonCode()).isEqualTo("CUDA_ERROR_INVALID_PTX");
    assertThat(result.kernel()).isEmpty();
    assertThat(result.diagnostic()).isEmpty();
  }

  @Test
  void aKernelNeedsExactlyOneGpuAndOnlyOneWorkloadIsAllowed() {
    CudaKernel kernel = CudaKernel.builder().ptx(".entry k()").kernel("k").build();

    assertThatThrownBy(() -> TaskSpec.builder().cudaKernel(kernel).gpus(2).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("invalid task spec: a cudaKernel runs on exactly 1 GPU, got gpus 2");
    assertThatThrownBy(
            () -> TaskSpec.builder().command("true").diagnostic(Diagnostic.all()).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "invalid task spec: give only one workload: a command, a cudaKernel or a diagnostic");
  }

  @Test
  void deviceIndicesNeedANodeAndMatchTheGpuCount() {
    assertThatThrownBy(
            () ->
                TaskSpec.builder().diagnostic(Diagnostic.all()).deviceIndices(1, 1).gpus(3).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "invalid task spec: deviceIndices need a node; deviceIndices must not repeat, got"
                + " [1, 1]; deviceIndices must name as many GPUs as gpus (3), got 2");
  }

  @Test
  void aKernelRejectsBlankNamesAndBuffersRejectImpossibleContent() {
    assertThatThrownBy(() -> CudaKernel.builder().sharedMemoryBytes(-1).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "invalid CUDA kernel: ptx must not be blank; kernel must not be blank;"
                + " sharedMemoryBytes must not be negative, got -1");
    assertThatThrownBy(() -> io.gpupool.client.KernelArgument.buffer(0))
        .hasMessage("buffer size must be at least 1 byte, got 0");
    assertThatThrownBy(() -> io.gpupool.client.KernelArgument.filledBuffer(4, 256))
        .hasMessage("buffer fill byte must be 0 to 255, got 256");
    assertThatThrownBy(() -> io.gpupool.client.KernelArgument.bufferOf(1, new byte[2]))
        .hasMessage("buffer data has 2 bytes, more than its size of 1");
    assertThatThrownBy(() -> Dim3.of(0))
        .hasMessage("every dimension must be at least 1, got (0, 1, 1)");
  }

  @Test
  void buffersCompareByContentAndKeepTheirDataToThemselves() {
    byte[] data = {1, 2, 3};
    io.gpupool.client.KernelArgument.Buffer buffer =
        io.gpupool.client.KernelArgument.bufferOf(8, data);
    data[0] = 7;
    buffer.data()[1] = 7;

    assertThat(buffer.data()).containsExactly(1, 2, 3);
    assertThat(buffer)
        .isEqualTo(io.gpupool.client.KernelArgument.bufferOf(8, new byte[] {1, 2, 3}));
    assertThat(buffer.asOutput()).isNotEqualTo(buffer);
    assertThat(buffer.asOutput().output()).isTrue();
  }

  @Test
  void toBuilderKeepsTheKernelAndPlacement() {
    TaskSpec spec =
        TaskSpec.builder()
            .cudaKernel(CudaKernel.builder().ptx(".entry k()").kernel("k").build())
            .node("n-1")
            .deviceIndices(2)
            .build();

    assertThat(spec.toBuilder().build()).isEqualTo(spec);
    assertThat(spec.toString()).contains("ptxLength=10").doesNotContain(".entry");
  }

  private static Task taskWith(String reasonCode) {
    return new Task(
        "t-1",
        "",
        io.gpupool.client.TaskState.FAILED,
        "",
        1,
        Protos.T0,
        java.util.Optional.empty(),
        java.util.Optional.empty(),
        java.util.Optional.empty(),
        java.util.OptionalInt.empty(),
        "",
        List.of(),
        java.util.Optional.empty(),
        false,
        "",
        reasonCode,
        java.util.Optional.empty(),
        java.util.Optional.empty());
  }
}
