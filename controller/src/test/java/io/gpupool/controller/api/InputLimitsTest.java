package io.gpupool.controller.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Duration;
import io.gpupool.controller.error.ControllerException;
import io.gpupool.controller.error.ErrorKind;
import io.gpupool.controller.limits.Limits;
import io.gpupool.controller.testing.TestSpecs;
import io.gpupool.proto.v1.CommandWorkload;
import io.gpupool.proto.v1.CudaKernelWorkload;
import io.gpupool.proto.v1.DeviceBuffer;
import io.gpupool.proto.v1.Dim3;
import io.gpupool.proto.v1.KernelArgument;
import io.gpupool.proto.v1.Resources;
import io.gpupool.proto.v1.SubmitTaskRequest;
import io.gpupool.proto.v1.TaskSpec;
import java.util.Collections;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The submit limits of {@link Limits}: each refused with INVALID_ARGUMENT naming field and limit.
 */
@Timeout(10)
class InputLimitsTest {
  @Test
  void nulIsRefusedWhereverAStringReachesExecveOrTheStore() {
    assertInvalid(
        request(
            TestSpecs.gpuTask()
                .setCommand(
                    CommandWorkload.newBuilder()
                        .addArgv("python")
                        .addArgv("a")
                        .addArgv("b")
                        .addArgv("x\0y")
                        .putEnv("K\0", "v")
                        .putEnv("L", "v\0")
                        .setWorkingDir("/tmp/\0"))),
        "spec.command.argv[3]: must not contain NUL (\\0)",
        "spec.command.env['K\\0']: must not contain NUL",
        "spec.command.env['L']: must not contain NUL",
        "spec.command.working_dir: must not contain NUL");
    assertInvalid(
        SubmitTaskRequest.newBuilder().setSpec(TestSpecs.gpuTask()).setRequestId("r\0").build(),
        "request_id: must not contain NUL (\\0)");
  }

  @Test
  void argvAndEnvAreBoundedInCountAndBytes() {
    assertInvalid(
        command(CommandWorkload.newBuilder().addAllArgv(Collections.nCopies(4097, "a"))),
        "spec.command.argv: at most 4096 arguments, has 4097");
    assertInvalid(
        command(CommandWorkload.newBuilder().addArgv("x".repeat(Limits.MAX_ARG_BYTES + 1))),
        "spec.command.argv[0]: at most 131072 bytes, has 131073");
    assertInvalid(
        command(
            CommandWorkload.newBuilder().addAllArgv(Collections.nCopies(3, "é".repeat(50_000)))),
        "spec.command.argv: at most 262144 bytes together, has 300003");
    CommandWorkload.Builder env = CommandWorkload.newBuilder().addArgv("true");
    for (int i = 0; i < 1025; i++) {
      env.putEnv("K" + i, "v");
    }
    assertInvalid(command(env), "spec.command.env: at most 1024 variables, has 1025");
    assertInvalid(
        command(
            CommandWorkload.newBuilder()
                .addArgv("true")
                .putEnv("A", "x".repeat(200_000))
                .putEnv("B", "x".repeat(100_000))),
        "spec.command.env: at most 262144 bytes together (KEY=VALUE each), has 300006");
    assertInvalid(
        command(CommandWorkload.newBuilder().addArgv("true").setWorkingDir("/".repeat(4097))),
        "spec.command.working_dir: at most 4096 bytes, has 4097");
  }

  @Test
  void namesAndLabelsAreBounded() {
    TaskSpec.Builder spec =
        TestSpecs.gpuTask()
            .setName("n".repeat(254))
            .setTenant("t".repeat(254))
            .setResources(
                Resources.newBuilder()
                    .setGpus(1)
                    .setGpuModel("m".repeat(254))
                    .putNodeSelector("zone", "z".repeat(1025)));
    for (int i = 0; i < 65; i++) {
      spec.putLabels("k" + i, "v");
    }
    assertInvalid(
        request(spec),
        "spec.name: at most 253 characters, has 254",
        "spec.tenant: at most 253 characters, has 254",
        "spec.resources.gpu_model: at most 253 characters, has 254",
        "spec.resources.node_selector['zone']: at most 1024 characters, has 1025",
        "spec.labels: at most 64 entries, has 65");
    assertInvalid(
        request(TestSpecs.gpuTask().putLabels("k".repeat(300), "v")),
        "spec.labels['kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk...(300 characters)'] key: at most 253"
            + " characters, has 300");
  }

  @Test
  void absurdNumbersAreRefused() {
    Duration forever = Duration.newBuilder().setSeconds(Long.MAX_VALUE).build();
    assertInvalid(
        request(
            TestSpecs.gpuTask()
                .setResources(
                    Resources.newBuilder()
                        .setGpus(1)
                        .setMinGpuMemoryBytes(Long.MAX_VALUE)
                        .addDeviceIndices(64)
                        .setNode("n"))
                .setRuntimeEstimate(forever)
                .setMaxRuntime(Duration.newBuilder().setSeconds(366L * 86400 + 1))
                .setKillGracePeriod(Duration.newBuilder().setSeconds(1).setNanos(-5))
                .setPriority(-1)
                .setGangSize(Integer.MIN_VALUE)),
        "spec.resources.min_gpu_memory_bytes: must be 0 to 17592186044416 (16 TiB), got "
            + Long.MAX_VALUE,
        "spec.resources.device_indices[0]: must be below 64 (GPUs of one node), got 64",
        "spec.runtime_estimate: must be a valid duration that is not negative",
        "spec.max_runtime: at most 31622400 s, got 31622401 s",
        "spec.kill_grace_period: must be a valid duration that is not negative",
        "spec.priority: must be between 0 and 1000, got -1",
        "spec.gang_size: must be between 0 and 64, got -2147483648");
    assertThatCode(
            () ->
                SubmitValidator.validate(
                    request(
                        TestSpecs.gpuTask()
                            .setMaxRuntime(Duration.newBuilder().setSeconds(366L * 86400)))))
        .doesNotThrowAnyException();
  }

  @Test
  void kernelBufferSizesCannotOverflowTheirSum() {
    KernelArgument huge =
        KernelArgument.newBuilder()
            .setBuffer(DeviceBuffer.newBuilder().setSizeBytes(Long.MAX_VALUE))
            .build();
    CudaKernelWorkload kernel =
        CudaKernelWorkload.newBuilder()
            .setPtx(".version 8.0\n.target sm_90\n.entry k()\n{ ret; }\n")
            .setKernel("k")
            .setGrid(Dim3.newBuilder().setX(1))
            .setBlock(Dim3.newBuilder().setX(1))
            .addArguments(huge)
            .addArguments(huge)
            .build();

    assertInvalid(
        request(TestSpecs.gpuTask().setCudaKernel(kernel)),
        "spec.cuda_kernel.arguments[0].buffer.size_bytes: must be at most 4294967296 (4 GiB)",
        "spec.cuda_kernel.arguments[1].buffer.size_bytes: must be at most 4294967296 (4 GiB)",
        "spec.cuda_kernel.arguments: buffers must be at most 4294967296 bytes (4 GiB) together");
  }

  @Test
  void ptxThatWouldTakeRegularExpressionsQuadraticTimeIsReadInLinearTime() {
    String ptx =
        "/* ".repeat(100_000)
            + "\n".repeat(300_000)
            + ".version 8.0\n.target sm_90\n.entry k()\n{ ret; }\n";
    long start = System.nanoTime();

    PtxModule module = PtxModule.parse(ptx);

    assertThat(module.entries()).containsExactly("k");
    assertThat(module.hasVersion()).isTrue();
    assertThat(java.time.Duration.ofNanos(System.nanoTime() - start))
        .isLessThan(java.time.Duration.ofSeconds(2));
    assertThat(PtxModule.withoutComments("a /* b */ c // d\n/* e")).isEqualTo("a   c  \n/* e");
  }

  @Test
  void aRequestWithThousandsOfProblemsGetsAShortMessage() {
    assertThatThrownBy(
            () ->
                SubmitValidator.validate(
                    command(
                        CommandWorkload.newBuilder().addAllArgv(Collections.nCopies(4000, "\0")))))
        .hasMessageContaining("spec.command.argv[9]: must not contain NUL")
        .hasMessageNotContaining("spec.command.argv[10]");
    Violations many = new Violations();
    for (int i = 0; i < 1000; i++) {
      many.add("spec.labels['k" + i + "']", "at most 1024 characters, has 5000");
    }

    assertThatThrownBy(many::throwIfAny)
        .satisfies(
            e -> assertThat(e.getMessage()).hasSizeLessThanOrEqualTo(Violations.MAX_MESSAGE_CHARS))
        .hasMessageStartingWith("spec.labels['k0']: at most 1024 characters, has 5000; ")
        .hasMessageEndingWith(" more problems");
  }

  @Test
  void idsAreBoundedAndFreeOfNul() {
    Violations v = new Violations();
    v.id("", "id");
    v.id("t-1", "id");
    v.id("t".repeat(65), "id");
    v.id("t-\0", "id");

    assertThat(v.problems())
        .containsExactly(
            "id: required", "id: at most 64 characters, has 65", "id: must not contain NUL (\\0)");
  }

  private static SubmitTaskRequest command(CommandWorkload.Builder command) {
    return request(TestSpecs.gpuTask().setCommand(command));
  }

  private static SubmitTaskRequest request(TaskSpec.Builder spec) {
    return SubmitTaskRequest.newBuilder().setSpec(spec).build();
  }

  private static void assertInvalid(SubmitTaskRequest request, String... problems) {
    assertThatThrownBy(() -> SubmitValidator.validate(request))
        .isInstanceOfSatisfying(
            ControllerException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_ARGUMENT);
              assertThat(e.getMessage()).contains(problems);
            });
  }
}
