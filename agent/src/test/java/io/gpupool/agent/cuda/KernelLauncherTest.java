package io.gpupool.agent.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.gpupool.proto.v1.CudaKernelWorkload;
import io.gpupool.proto.v1.DeviceBuffer;
import io.gpupool.proto.v1.Dim3;
import io.gpupool.proto.v1.KernelArgument;
import io.gpupool.proto.v1.KernelResult;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class KernelLauncherTest {

  static final String PTX = ".version 7.0\n.target sm_75\n.visible .entry scale(\n)\n{\n ret;\n}\n";

  private final FakeCudaDriver driver = FakeCudaDriver.oneDevice().kernel("scale", (p, g, b) -> {});

  static CudaKernelWorkload.Builder kernel(KernelArgument... arguments) {
    return CudaKernelWorkload.newBuilder()
        .setPtx(PTX)
        .setKernel("scale")
        .setGrid(Dim3.newBuilder().setX(4))
        .setBlock(Dim3.newBuilder().setX(128))
        .addAllArguments(List.of(arguments));
  }

  static KernelArgument buffer(DeviceBuffer.Builder buffer) {
    return KernelArgument.newBuilder().setBuffer(buffer).build();
  }

  @Test
  void buffersAreFilledCopiedOrZeroedBeforeTheLaunch() throws Exception {
    new KernelLauncher(driver)
        .run(
            kernel(
                    buffer(DeviceBuffer.newBuilder().setSizeBytes(4).setFillByte(0xAB)),
                    buffer(
                        DeviceBuffer.newBuilder()
                            .setSizeBytes(5)
                            .setData(ByteString.copyFrom(new byte[] {1, 2}))),
                    buffer(DeviceBuffer.newBuilder().setSizeBytes(3)))
                .build(),
            0);

    assertThat(driver.allocations).hasSize(3);
    assertThat(driver.allocations.get(0).bytes).containsExactly(0xAB, 0xAB, 0xAB, 0xAB);
    assertThat(driver.allocations.get(1).bytes).containsExactly(1, 2, 0, 0, 0);
    assertThat(driver.allocations.get(2).bytes).containsExactly(0, 0, 0);
  }

  @Test
  void scalarsAndPointersArePassedInArgumentOrder() throws Exception {
    new KernelLauncher(driver)
        .run(
            kernel(
                    KernelArgument.newBuilder().setInt32Value(-7).build(),
                    buffer(DeviceBuffer.newBuilder().setSizeBytes(8)),
                    KernelArgument.newBuilder().setInt64Value(1L << 40).build(),
                    KernelArgument.newBuilder().setFloatValue(1.5f).build(),
                    KernelArgument.newBuilder().setDoubleValue(2.25).build())
                .build(),
            0);

    assertThat(driver.lastParams)
        .containsExactly(
            new CudaDriver.Int32Param(-7),
            new CudaDriver.PointerParam(driver.allocations.get(0)),
            new CudaDriver.Int64Param(1L << 40),
            new CudaDriver.Float32Param(1.5f),
            new CudaDriver.Float64Param(2.25));
  }

  @Test
  void returnsTheElapsedTimeAndTheOutputBuffersAfterTheKernelRan() throws Exception {
    driver.kernel(
        "scale",
        (params, grid, block) ->
            ((FakeCudaDriver.Memory) ((CudaDriver.PointerParam) params.get(1)).memory()).bytes[0] =
                42);

    KernelResult result =
        new KernelLauncher(driver)
            .run(
                kernel(
                        buffer(DeviceBuffer.newBuilder().setSizeBytes(2)),
                        buffer(DeviceBuffer.newBuilder().setSizeBytes(2).setOutput(true)))
                    .build(),
                0);

    assertThat(result.getElapsedMs()).isEqualTo(2.5);
    assertThat(result.getOutputsList()).hasSize(1);
    assertThat(result.getOutputs(0).getArgumentIndex()).isEqualTo(1);
    assertThat(result.getOutputs(0).getData().toByteArray()).containsExactly(42, 0);
    assertThat(result.getOutputs(0).getTruncated()).isFalse();
  }

  @Test
  void outputsBeyondOneMibTogetherAreCutOffAndMarkedTruncated() throws Exception {
    long big = KernelLimits.MAX_OUTPUT_BYTES - 10;
    KernelResult result =
        new KernelLauncher(driver)
            .run(
                kernel(
                        buffer(DeviceBuffer.newBuilder().setSizeBytes(big).setOutput(true)),
                        buffer(DeviceBuffer.newBuilder().setSizeBytes(30).setOutput(true)),
                        buffer(DeviceBuffer.newBuilder().setSizeBytes(5).setOutput(true)))
                    .build(),
                0);

    assertThat(result.getOutputs(0).getData().size()).isEqualTo(big);
    assertThat(result.getOutputs(0).getTruncated()).isFalse();
    assertThat(result.getOutputs(1).getData().size()).isEqualTo(10);
    assertThat(result.getOutputs(1).getTruncated()).isTrue();
    assertThat(result.getOutputs(2).getData().size()).isZero();
    assertThat(result.getOutputs(2).getTruncated()).isTrue();
  }

  @Test
  void everythingIsFreedAndTheContextDestroyedAfterASuccess() throws Exception {
    new KernelLauncher(driver)
        .run(kernel(buffer(DeviceBuffer.newBuilder().setSizeBytes(8).setOutput(true))).build(), 0);

    assertThat(driver.live).isEmpty();
    assertThat(driver.calls).last().isEqualTo("destroyContext");
  }

  @Test
  void invalidPtxFailsNamingTheStepAndCleansUp() {
    driver.failOn("loadModule", "CUDA_ERROR_INVALID_PTX");

    assertThatThrownBy(() -> new KernelLauncher(driver).run(kernel().build(), 0))
        .isInstanceOfSatisfying(
            CudaException.class,
            e -> {
              assertThat(e.errorName()).isEqualTo("CUDA_ERROR_INVALID_PTX");
              assertThat(e.getMessage())
                  .isEqualTo("loading the PTX module failed: CUDA_ERROR_INVALID_PTX");
            });
    assertThat(driver.live).isEmpty();
  }

  @Test
  void anUnknownKernelFailsWithNotFound() {
    assertThatThrownBy(
            () -> new KernelLauncher(driver).run(kernel().setKernel("missing").build(), 0))
        .isInstanceOfSatisfying(
            CudaException.class,
            e -> {
              assertThat(e.errorName()).isEqualTo("CUDA_ERROR_NOT_FOUND");
              assertThat(e.getMessage())
                  .isEqualTo(
                      "finding kernel 'missing' in the PTX module failed: CUDA_ERROR_NOT_FOUND");
            });
  }

  @Test
  void aKernelThatFaultsFreesItsBuffersAndDestroysTheContext() {
    driver.failOn("elapsedMillis", "CUDA_ERROR_ILLEGAL_ADDRESS");

    assertThatThrownBy(
            () ->
                new KernelLauncher(driver)
                    .run(kernel(buffer(DeviceBuffer.newBuilder().setSizeBytes(8))).build(), 0))
        .hasMessage("running kernel 'scale' failed: CUDA_ERROR_ILLEGAL_ADDRESS");
    assertThat(driver.live).isEmpty();
    assertThat(driver.calls).contains("free", "destroyEvent", "unloadModule", "destroyContext");
  }

  @Test
  void aCleanupFailureDoesNotStopTheRestOfTheCleanup() throws Exception {
    driver.failOn("free", "CUDA_ERROR_ILLEGAL_ADDRESS");

    new KernelLauncher(driver)
        .run(kernel(buffer(DeviceBuffer.newBuilder().setSizeBytes(8))).build(), 0);

    assertThat(driver.calls).last().isEqualTo("destroyContext");
  }

  @Test
  void aWorkloadOverTheLimitsFailsBeforeTouchingTheDriver() {
    assertThatThrownBy(
            () ->
                new KernelLauncher(driver)
                    .run(kernel().setBlock(Dim3.newBuilder().setX(2048)).build(), 0))
        .isInstanceOfSatisfying(
            CudaException.class,
            e -> {
              assertThat(e.errorName()).isEqualTo("CUDA_ERROR_INVALID_VALUE");
              assertThat(e.getMessage()).contains("cuda_kernel.block.x must be 1 to 1024");
            });
    assertThat(driver.calls).isEmpty();
  }
}
