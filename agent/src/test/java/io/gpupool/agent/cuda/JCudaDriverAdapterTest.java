package io.gpupool.agent.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpupool.agent.device.DeviceBackendException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class JCudaDriverAdapterTest {

  @Test
  void withoutTheDriverLibraryLoadingFailsWithAClearMessageEveryTime() {
    Assumptions.assumeFalse(driverLibraryPresent(), "libcuda.so.1 is installed here");

    for (int attempt = 0; attempt < 2; attempt++) {
      assertThatThrownBy(JCudaDriverAdapter::load)
          .isInstanceOf(DeviceBackendException.class)
          .hasMessageStartingWith("CUDA driver library libcuda.so.1 not found: ")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
  }

  @Test
  void theLoadFailureIsSummedUpFromJCudasReport() {
    var error =
        new UnsatisfiedLinkError(
            "Error while loading native library \"JCudaDriver-12.0.0-linux-x86_64\"\n"
                + "Stack trace from the attempt to load the library as a resource:\n"
                + "java.lang.UnsatisfiedLinkError: /tmp/libJCudaDriver.so: libcuda.so.1: cannot"
                + " open shared object file: No such file or directory\n"
                + "\tat java.base/jdk.internal.loader.NativeLibraries.load(Native Method)");

    assertThat(JCudaDriverAdapter.describeLoadFailure(error))
        .isEqualTo(
            "CUDA driver library libcuda.so.1 not found: java.lang.UnsatisfiedLinkError:"
                + " /tmp/libJCudaDriver.so: libcuda.so.1: cannot open shared object file: No such"
                + " file or directory (install the NVIDIA driver to run CUDA work on this node)");
    assertThat(JCudaDriverAdapter.describeLoadFailure(new UnsatisfiedLinkError("other\nmore")))
        .isEqualTo("cannot load JCuda's native library for the CUDA driver API: other");
  }

  /** Whether the dynamic loader would find libcuda.so.1 in the usual places. */
  static boolean driverLibraryPresent() {
    return Stream.of(
                "/usr/lib/x86_64-linux-gnu",
                "/usr/lib64",
                "/usr/lib",
                "/lib/x86_64-linux-gnu",
                "/usr/local/nvidia/lib64",
                "/usr/local/cuda/compat")
            .anyMatch(dir -> Files.exists(Path.of(dir, "libcuda.so.1")))
        || System.getenv().getOrDefault("LD_LIBRARY_PATH", "").contains("cuda");
  }
}
