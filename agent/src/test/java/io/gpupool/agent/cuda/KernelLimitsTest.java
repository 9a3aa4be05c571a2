package io.gpupool.agent.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.gpupool.proto.v1.CudaKernelWorkload;
import io.gpupool.proto.v1.DeviceBuffer;
import io.gpupool.proto.v1.Dim3;
import io.gpupool.proto.v1.KernelArgument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class KernelLimitsTest {

  private static CudaKernelWorkload.Builder valid() {
    return KernelLauncherTest.kernel();
  }

  private static KernelArgument buffer(long size) {
    return KernelArgument.newBuilder()
        .setBuffer(DeviceBuffer.newBuilder().setSizeBytes(size))
        .build();
  }

  @Test
  void aWorkloadWithinTheLimitsPasses() {
    assertThat(
            KernelLimits.check(
                valid()
                    .setGrid(Dim3.newBuilder().setX(Integer.MAX_VALUE).setY(65535).setZ(65535))
                    .setBlock(Dim3.newBuilder().setX(16).setY(16).setZ(4))
                    .build()))
        .isEmpty();
  }

  @Test
  void zeroAndOversizedDimensionsAreNamed() {
    assertThat(
            KernelLimits.check(
                valid()
                    .setGrid(Dim3.newBuilder().setX(0).setY(65536))
                    .setBlock(Dim3.newBuilder().setX(1024).setZ(65))
                    .build()))
        .containsExactlyInAnyOrder(
            "cuda_kernel.grid.x must be 1 to 2147483647, not 0",
            "cuda_kernel.grid.y must be 0 to 65535, not 65536",
            "cuda_kernel.block.z must be 0 to 64, not 65",
            "cuda_kernel.block has 66560 threads (x*y*z); at most 1024");
  }

  @Test
  void moreThanThirtyTwoArgumentsAreRefused() {
    CudaKernelWorkload.Builder kernel = valid();
    for (int i = 0; i < 33; i++) {
      kernel.addArguments(KernelArgument.newBuilder().setInt32Value(i));
    }
    assertThat(KernelLimits.check(kernel.build()))
        .containsExactly("cuda_kernel.arguments has 33 entries; at most 32");
  }

  @Test
  void buffersOverFourGibTogetherAreRefused() {
    assertThat(
            KernelLimits.check(
                valid().addArguments(buffer(3L << 30)).addArguments(buffer(1L << 30)).build()))
        .isEmpty();
    assertThat(
            KernelLimits.check(
                valid()
                    .addArguments(buffer(3L << 30))
                    .addArguments(buffer((1L << 30) + 1))
                    .build()))
        .singleElement()
        .asString()
        .startsWith("cuda_kernel buffers need 4294967297 bytes together");
  }

  @Test
  void inlineDataOverOneMibTogetherIsRefused() {
    KernelArgument data =
        KernelArgument.newBuilder()
            .setBuffer(
                DeviceBuffer.newBuilder()
                    .setSizeBytes(1 << 20)
                    .setData(ByteString.copyFrom(new byte[(1 << 19) + 1])))
            .build();
    assertThat(KernelLimits.check(valid().addArguments(data).addArguments(data).build()))
        .singleElement()
        .asString()
        .startsWith("cuda_kernel buffer data is 1048578 bytes together");
  }

  @Test
  void badBuffersAndEmptyFieldsAreNamed() {
    CudaKernelWorkload kernel =
        CudaKernelWorkload.newBuilder()
            .setGrid(Dim3.newBuilder().setX(1))
            .setBlock(Dim3.newBuilder().setX(1))
            .addArguments(buffer(0))
            .addArguments(
                KernelArgument.newBuilder()
                    .setBuffer(DeviceBuffer.newBuilder().setSizeBytes(4).setFillByte(256)))
            .addArguments(
                KernelArgument.newBuilder()
                    .setBuffer(
                        DeviceBuffer.newBuilder()
                            .setSizeBytes(1)
                            .setData(ByteString.copyFrom(new byte[2]))))
            .addArguments(KernelArgument.getDefaultInstance())
            .build();
    assertThat(KernelLimits.check(kernel))
        .containsExactlyInAnyOrder(
            "cuda_kernel.ptx is empty",
            "cuda_kernel.kernel is empty",
            "cuda_kernel.arguments[0].buffer.size_bytes must be at least 1",
            "cuda_kernel.arguments[1].buffer.fill_byte must be 0 to 255",
            "cuda_kernel.arguments[2].buffer.data is longer than size_bytes",
            "cuda_kernel.arguments[3] has no value");
  }

  @Test
  void sharedMemoryOver227KibOrNegativeIsRefused() {
    assertThat(KernelLimits.check(valid().setSharedMemoryBytes(227 << 10).build())).isEmpty();
    assertThat(KernelLimits.check(valid().setSharedMemoryBytes((227 << 10) + 1).build()))
        .containsExactly("cuda_kernel.shared_memory_bytes must be 0 to 232448, is 232449");
    assertThat(KernelLimits.check(valid().setSharedMemoryBytes(-1).build()))
        .containsExactly("cuda_kernel.shared_memory_bytes must be 0 to 232448, is -1");
  }

  @Test
  void ptxOverOneMibIsRefused() {
    assertThat(KernelLimits.check(valid().setPtx("x".repeat((1 << 20) + 1)).build()))
        .containsExactly("cuda_kernel.ptx is larger than 1048576 bytes");
  }

  @Test
  void zeroYAndZMeanOne() {
    assertThat(KernelLimits.dims(Dim3.newBuilder().setX(3).build()))
        .isEqualTo(new CudaDriver.Dims(3, 1, 1));
  }
}
