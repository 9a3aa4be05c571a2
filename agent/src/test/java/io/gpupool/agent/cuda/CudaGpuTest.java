package io.gpupool.agent.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.gpupool.agent.device.DeviceBackendException;
import io.gpupool.agent.device.GpuDevice;
import io.gpupool.proto.v1.CudaKernelWorkload;
import io.gpupool.proto.v1.DeviceBuffer;
import io.gpupool.proto.v1.DeviceDiagnostic;
import io.gpupool.proto.v1.Dim3;
import io.gpupool.proto.v1.KernelArgument;
import io.gpupool.proto.v1.KernelResult;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A real kernel and the diagnostics through JCuda on device 0; skipped without a GPU. */
@Tag("gpu")
@Timeout(120)
class CudaGpuTest {

  /** c[i] = a[i] + b[i] for i < n, as nvcc writes it for sm_75. */
  private static final String VECTOR_ADD =
      """
      .version 7.0
      .target sm_75
      .address_size 64

      .visible .entry vector_add(
      \t.param .u64 a,
      \t.param .u64 b,
      \t.param .u64 c,
      \t.param .u32 n
      )
      {
      \t.reg .pred %p<2>;
      \t.reg .f32 %f<4>;
      \t.reg .b32 %r<6>;
      \t.reg .b64 %rd<11>;

      \tld.param.u64 %rd1, [a];
      \tld.param.u64 %rd2, [b];
      \tld.param.u64 %rd3, [c];
      \tld.param.u32 %r2, [n];
      \tmov.u32 %r3, %ctaid.x;
      \tmov.u32 %r4, %ntid.x;
      \tmov.u32 %r5, %tid.x;
      \tmad.lo.s32 %r1, %r3, %r4, %r5;
      \tsetp.ge.s32 %p1, %r1, %r2;
      \t@%p1 bra DONE;
      \tcvta.to.global.u64 %rd4, %rd1;
      \tmul.wide.s32 %rd5, %r1, 4;
      \tadd.s64 %rd6, %rd4, %rd5;
      \tcvta.to.global.u64 %rd7, %rd2;
      \tadd.s64 %rd8, %rd7, %rd5;
      \tld.global.f32 %f1, [%rd8];
      \tld.global.f32 %f2, [%rd6];
      \tadd.f32 %f3, %f2, %f1;
      \tcvta.to.global.u64 %rd9, %rd3;
      \tadd.s64 %rd10, %rd9, %rd5;
      \tst.global.f32 [%rd10], %f3;
      DONE:
      \tret;
      }
      """;

  private CudaDriver driver;

  @BeforeEach
  void loadDriver() throws CudaException {
    try {
      driver = JCudaDriverAdapter.load();
    } catch (DeviceBackendException e) {
      Assumptions.abort("no CUDA driver: " + e.getMessage());
    }
    Assumptions.assumeTrue(driver.deviceCount() > 0, "CUDA sees no device");
  }

  @Test
  void vectorAddRunsOnDeviceZero() throws Exception {
    int n = 1000;
    ByteBuffer a = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer b = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      a.putFloat(i);
      b.putFloat(2 * i);
    }
    CudaKernelWorkload kernel =
        CudaKernelWorkload.newBuilder()
            .setPtx(VECTOR_ADD)
            .setKernel("vector_add")
            .setGrid(Dim3.newBuilder().setX((n + 255) / 256))
            .setBlock(Dim3.newBuilder().setX(256))
            .addArguments(input(a))
            .addArguments(input(b))
            .addArguments(
                KernelArgument.newBuilder()
                    .setBuffer(DeviceBuffer.newBuilder().setSizeBytes(n * 4L).setOutput(true)))
            .addArguments(KernelArgument.newBuilder().setInt32Value(n))
            .build();

    KernelResult result = new KernelLauncher(driver).run(kernel, 0);

    assertThat(result.getElapsedMs()).isPositive();
    ByteBuffer c =
        ByteBuffer.wrap(result.getOutputs(0).getData().toByteArray())
            .order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      assertThat(c.getFloat()).isEqualTo(3f * i);
    }
  }

  @Test
  void diagnosticsPassOnDeviceZero() throws Exception {
    CudaDeviceProperties cuda = driver.properties(0);
    GpuDevice device =
        new GpuDevice(
            0, "GPU-0", cuda.name(), cuda.totalMemoryBytes(), false, "", 0, cuda.pciBusId(), "", 0);

    DeviceDiagnostic result = new Diagnostics(driver).run(List.of(device), List.of()).getDevices(0);

    System.out.println(DiagnosticReportText.line(result));
    assertThat(result.getPassed()).as(result.getMessage()).isTrue();
    assertThat(result.getMemoryBandwidthGbps()).isPositive();
    assertThat(result.getFmaGflops()).isPositive();
  }

  private static KernelArgument input(ByteBuffer data) {
    return KernelArgument.newBuilder()
        .setBuffer(
            DeviceBuffer.newBuilder()
                .setSizeBytes(data.capacity())
                .setData(ByteString.copyFrom(data.array())))
        .build();
  }
}
