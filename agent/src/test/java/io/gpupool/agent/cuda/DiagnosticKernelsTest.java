package io.gpupool.agent.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The diagnostics' committed PTX: what generate-ptx.sh makes of the .cu files (when nvcc is on the
 * PATH), accepted by ptxas, and declaring the entries and PTX ISA the agent relies on.
 */
@Timeout(120)
class DiagnosticKernelsTest {

  private static final Path CUDA_SOURCES = Path.of("src/main/cuda");
  private static final Path COMMITTED = Path.of("src/main/cuda-resources/io/gpupool/agent/cuda");

  @TempDir Path out;

  @Test
  void committedPtxIsWhatNvccGeneratesFromTheSources() throws Exception {
    Assumptions.assumeTrue(onPath("nvcc"), "nvcc is not on the PATH");

    run(CUDA_SOURCES.resolve("generate-ptx.sh").toString(), out.toString());

    for (String ptx : new String[] {"memory_bandwidth.ptx", "fma_throughput.ptx"}) {
      assertThat(Files.readString(COMMITTED.resolve(ptx)))
          .as(ptx + " is stale: run agent/src/main/cuda/generate-ptx.sh")
          .isEqualTo(Files.readString(out.resolve(ptx)));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"sm_80", "sm_90"})
  void ptxasAcceptsTheShippedPtx(String arch) throws Exception {
    Assumptions.assumeTrue(onPath("ptxas"), "ptxas is not on the PATH");
    for (String ptx : new String[] {"memory_bandwidth.ptx", "fma_throughput.ptx"}) {
      Path file = out.resolve(ptx);
      Files.writeString(file, DiagnosticKernels.ptx(ptx));
      run("ptxas", "-arch=" + arch, "-o", out.resolve(ptx + ".cubin").toString(), file.toString());
    }
  }

  @Test
  void theResourcesDeclarePtxIsa70AndTheKernels() {
    String bandwidth = DiagnosticKernels.ptx(DiagnosticKernels.MEMORY_BANDWIDTH_PTX);
    String fma = DiagnosticKernels.ptx(DiagnosticKernels.FMA_THROUGHPUT_PTX);
    assertThat(bandwidth)
        .contains(".version 7.0\n", ".entry " + DiagnosticKernels.COPY_KERNEL + "(");
    assertThat(fma)
        .contains(".version 7.0\n", ".entry " + DiagnosticKernels.FMA_KERNEL + "(", "fma.rn.f32");
  }

  @Test
  void theExpectedFmaValueFollowsTheKernelsArithmetic() {
    // With a = 1 and b = 0 every chain keeps its start value 1..8.
    assertThat(DiagnosticKernels.expectedFma(1000, 1f, 0f)).isEqualTo(36f);
    assertThat(DiagnosticKernels.expectedFma(1, 2f, 1f))
        .isEqualTo(3 + 5 + 7 + 9 + 11 + 13 + 15 + 17f);
  }

  private static boolean onPath(String program) {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(java.io.File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
        return true;
      }
    }
    return false;
  }

  private static void run(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(100, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(String.join(" ", command) + ":\n" + output).isZero();
  }
}
