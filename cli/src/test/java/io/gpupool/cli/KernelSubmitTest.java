package io.gpupool.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.gpupool.proto.v1.CudaKernelWorkload;
import io.gpupool.proto.v1.DeviceBuffer;
import io.gpupool.proto.v1.DiagnosticCheck;
import io.gpupool.proto.v1.DiagnosticWorkload;
import io.gpupool.proto.v1.Dim3;
import io.gpupool.proto.v1.KernelArgument;
import io.gpupool.proto.v1.Resources;
import io.gpupool.proto.v1.TaskSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code gpupool submit --cuda-ptx ...} and {@code --diagnostic}, and pinning to node/devices. */
@Timeout(60)
class KernelSubmitTest {
  private static final String PTX =
      ".version 8.0\n.target sm_80\n.visible .entry saxpy()\n{ ret; }\n";

  @TempDir Path dir;

  private CliHarness cli;
  private Path ptx;

  @BeforeEach
  void start() throws Exception {
    cli = new CliHarness();
    ptx = Files.writeString(dir.resolve("saxpy.ptx"), PTX);
  }

  @AfterEach
  void stop() {
    cli.close();
  }

  @Test
  void everyArgumentKindBecomesTheExactKernelArgumentInOrder() throws Exception {
    Path init = Files.write(dir.resolve("init.bin"), new byte[] {7, 8, 9});

    CliHarness.Result result =
        cli.run(
            "submit",
            "--cuda-ptx",
            ptx.toString(),
            "--kernel",
            "saxpy",
            "--grid",
            "4,2",
            "--block",
            "256,1,2",
            "--shared-memory",
            "1024",
            "--arg",
            "i32:-5",
            "--arg",
            "i32:0xFFFFFFFF",
            "--arg",
            "i64:1099511627776",
            "--arg",
            "f32:1.5",
            "--arg",
            "f64:-2.5e-3",
            "--arg",
            "buf:4096",
            "--arg",
            "buf:16:fill=255:out",
            "--arg",
            "buf:8:hex=00ff10",
            "--arg",
            "buf:0x10:file=" + init + ":out");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.outLines()).containsExactly("t-1");
    TaskSpec sent = cli.scheduler.submits.get(0).getSpec();
    assertThat(sent.hasCommand()).isFalse();
    assertThat(sent.getResources().getGpus()).isEqualTo(1);
    assertThat(sent.getCudaKernel())
        .isEqualTo(
            CudaKernelWorkload.newBuilder()
                .setPtx(PTX)
                .setKernel("saxpy")
                .setGrid(Dim3.newBuilder().setX(4).setY(2).setZ(1))
                .setBlock(Dim3.newBuilder().setX(256).setY(1).setZ(2))
                .setSharedMemoryBytes(1024)
                .addArguments(KernelArgument.newBuilder().setInt32Value(-5))
                .addArguments(KernelArgument.newBuilder().setInt32Value(-1))
                .addArguments(KernelArgument.newBuilder().setInt64Value(1L << 40))
                .addArguments(KernelArgument.newBuilder().setFloatValue(1.5f))
                .addArguments(KernelArgument.newBuilder().setDoubleValue(-2.5e-3))
                .addArguments(buffer(DeviceBuffer.newBuilder().setSizeBytes(4096)))
                .addArguments(
                    buffer(
                        DeviceBuffer.newBuilder()
                            .setSizeBytes(16)
                            .setFillByte(255)
                            .setOutput(true)))
                .addArguments(
                    buffer(
                        DeviceBuffer.newBuilder()
                            .setSizeBytes(8)
                            .setData(ByteString.copyFrom(new byte[] {0, (byte) 0xff, 0x10}))))
                .addArguments(
                    buffer(
                        DeviceBuffer.newBuilder()
                            .setSizeBytes(16)
                            .setData(ByteString.copyFrom(new byte[] {7, 8, 9}))
                            .setOutput(true)))
                .build());
  }

  @Test
  void gridAndBlockDefaultToOneAndTheKernelMayBePinnedToANodesGpu() {
    CliHarness.Result result =
        cli.run(
            "submit",
            "--cuda-ptx",
            ptx.toString(),
            "--kernel",
            "saxpy",
            "--node",
            "node-a",
            "--devices",
            "3");

    assertThat(result.exitCode()).as(result.err()).isZero();
    TaskSpec sent = cli.scheduler.submits.get(0).getSpec();
    Dim3 one = Dim3.newBuilder().setX(1).setY(1).setZ(1).build();
    assertThat(sent.getCudaKernel().getGrid()).isEqualTo(one);
    assertThat(sent.getCudaKernel().getBlock()).isEqualTo(one);
    assertThat(sent.getCudaKernel().getArgumentsList()).isEmpty();
    assertThat(sent.getResources())
        .isEqualTo(Resources.newBuilder().setGpus(1).setNode("node-a").addDeviceIndices(3).build());
  }

  @Test
  void aBadArgIsAUsageErrorNamingTheFlagAndTheSyntax() {
    String[] bad = {
      "5",
      "i16:5",
      "i32:five",
      "i32:4294967296",
      "i64:1.5",
      "f32:1f",
      "f64:",
      "buf:0",
      "buf:big",
      "buf:4:fill=256",
      "buf:4:hex=abc",
      "buf:2:hex=aabbcc",
      "buf:4:zero",
      "buf:4:file=" + dir.resolve("missing.bin")
    };
    for (String arg : bad) {
      CliHarness.Result result =
          cli.run("submit", "--cuda-ptx", ptx.toString(), "--kernel", "k", "--arg", arg);

      assertThat(result.exitCode()).as(arg).isEqualTo(2);
      assertThat(result.err())
          .as(arg)
          .contains("--arg")
          .contains("'" + arg + "'")
          .contains("buf:SIZE[:fill=BYTE|:hex=HEX|:file=PATH][:out]");
    }
    assertThat(cli.scheduler.submits).isEmpty();
  }

  @Test
  void aBadArgSaysWhatIsWrongWithIt() {
    CliHarness.Result fill =
        cli.run("submit", "--cuda-ptx", ptx.toString(), "--kernel", "k", "--arg", "buf:4:fill=256");
    CliHarness.Result tooLong =
        cli.run(
            "submit", "--cuda-ptx", ptx.toString(), "--kernel", "k", "--arg", "buf:2:hex=aabbcc");

    assertThat(fill.err()).contains("fill must be a byte value 0 to 255, got '256'");
    assertThat(tooLong.err()).contains("the initial content has 3 bytes, more than the size 2");
  }

  @Test
  void kernelOptionsAreCheckedWithClearMessages() {
    assertThat(cli.run("submit", "--cuda-ptx", ptx.toString()).err())
        .contains("--cuda-ptx needs --kernel NAME");
    assertThat(
            cli.run("submit", "--cuda-ptx", ptx.toString(), "--kernel", "k", "--grid", "0").err())
        .contains("--grid")
        .contains("'0' is not X[,Y[,Z]]");
    assertThat(
            cli.run("submit", "--cuda-ptx", ptx.toString(), "--kernel", "k", "--block", "1,2,3,4")
                .err())
        .contains("--block");
    assertThat(
            cli.run("submit", "--cuda-ptx", ptx.toString(), "--kernel", "k", "--gpus", "2").err())
        .contains("--cuda-ptx runs on exactly one GPU, but --gpus is 2");
    assertThat(
            cli.run("submit", "--cuda-ptx", dir.resolve("none.ptx").toString(), "--kernel", "k")
                .err())
        .contains("--cuda-ptx: cannot read");
    assertThat(cli.run("submit", "--kernel", "k", "--arg", "i32:1", "--", "true").err())
        .contains("--kernel, --arg only go with --cuda-ptx FILE");
    assertThat(cli.scheduler.submits).isEmpty();
  }

  @Test
  void onlyOneWorkloadMayBeGiven() {
    CliHarness.Result both =
        cli.run("submit", "--diagnostic", "--cuda-ptx", ptx.toString(), "--kernel", "k");
    CliHarness.Result withCommand = cli.run("submit", "--diagnostic", "--", "nvidia-smi");

    assertThat(both.exitCode()).isEqualTo(2);
    assertThat(both.err())
        .contains("Give only one workload: a command (ARGV), --cuda-ptx FILE or --diagnostic");
    assertThat(withCommand.exitCode()).isEqualTo(2);
    assertThat(cli.scheduler.submits).isEmpty();
  }

  @Test
  void aDiagnosticRunsAllChecksByDefaultOnAsManyGpusAsDevicesName() {
    CliHarness.Result result =
        cli.run("submit", "--diagnostic", "--node", "node-a", "--devices", "0,1");

    assertThat(result.exitCode()).as(result.err()).isZero();
    TaskSpec sent = cli.scheduler.submits.get(0).getSpec();
    assertThat(sent.getDiagnostic()).isEqualTo(DiagnosticWorkload.getDefaultInstance());
    assertThat(sent.hasDiagnostic()).isTrue();
    assertThat(sent.getResources())
        .isEqualTo(
            Resources.newBuilder()
                .setGpus(2)
                .setNode("node-a")
                .addDeviceIndices(0)
                .addDeviceIndices(1)
                .build());
  }

  @Test
  void aDiagnosticSendsTheChosenChecks() {
    CliHarness.Result result = cli.run("submit", "--diagnostic", "--checks", "fma,bandwidth");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(cli.scheduler.submits.get(0).getSpec().getDiagnostic().getChecksList())
        .containsExactly(
            DiagnosticCheck.DIAGNOSTIC_CHECK_FMA_THROUGHPUT,
            DiagnosticCheck.DIAGNOSTIC_CHECK_MEMORY_BANDWIDTH);
    assertThat(cli.scheduler.submits.get(0).getSpec().getResources().getGpus()).isEqualTo(1);
  }

  @Test
  void diagnosticAndPlacementOptionsAreChecked() {
    assertThat(cli.run("submit", "--diagnostic", "--checks", "memory").err())
        .contains("--checks")
        .contains("'memory' is not a diagnostic check; valid: bandwidth, fma");
    assertThat(cli.run("submit", "--checks", "fma", "--", "true").err())
        .contains("--checks only goes with --diagnostic");
    assertThat(cli.run("submit", "--diagnostic", "--devices", "0").err())
        .contains("--devices needs --node NODE");
    assertThat(
            cli.run("submit", "--diagnostic", "--node", "n", "--devices", "0", "--gpus", "2").err())
        .contains("--devices names 1 GPUs, but --gpus is 2");
    assertThat(cli.run("submit", "--diagnostic", "--node", "n", "--devices", "1,1").err())
        .contains("--devices names a GPU twice: [1, 1]");
    assertThat(cli.run("submit", "--diagnostic", "--env", "A=1").err())
        .contains("--env and --workdir only go with a command (ARGV)");
    assertThat(cli.scheduler.submits).isEmpty();
  }

  @Test
  void aCommandMayBePinnedToANodeToo() {
    CliHarness.Result result = cli.run("submit", "--node", "node-b", "--", "nvidia-smi");

    assertThat(result.exitCode()).isZero();
    TaskSpec sent = cli.scheduler.submits.get(0).getSpec();
    assertThat(sent.getResources().getNode()).isEqualTo("node-b");
    assertThat(sent.getResources().getDeviceIndicesList()).isEmpty();
    assertThat(sent.getCommand().getArgvList()).containsExactly("nvidia-smi");
  }

  private static KernelArgument buffer(DeviceBuffer.Builder buffer) {
    return KernelArgument.newBuilder().setBuffer(buffer).build();
  }
}
