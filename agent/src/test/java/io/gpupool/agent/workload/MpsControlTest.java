package io.gpupool.agent.workload;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class MpsControlTest {

  @TempDir Path pipes;

  @Test
  void theDaemonIsFoundByItsControlPipeInThePipeDirectory() throws Exception {
    MpsControl mps =
        MpsControl.fromEnvironment(Map.of("CUDA_MPS_PIPE_DIRECTORY", pipes.toString()));
    assertThat(mps.daemonRunning()).isFalse();

    Files.createFile(pipes.resolve("control"));

    assertThat(mps.daemonRunning()).isTrue();
  }

  @Test
  void limitsGiveTheShareInMibAndItsFractionOfTheDeviceAsThreadPercentage() {
    assertThat(MpsControl.limits(4L << 30, 16L << 30))
        .containsEntry("CUDA_MPS_PINNED_DEVICE_MEM_LIMIT", "0=4096M")
        .containsEntry("CUDA_MPS_ACTIVE_THREAD_PERCENTAGE", "25");
  }

  @Test
  void aTinyShareStillGetsOneMibAndOnePercent() {
    assertThat(MpsControl.limits(1000, 80L << 30))
        .containsEntry("CUDA_MPS_PINNED_DEVICE_MEM_LIMIT", "0=1M")
        .containsEntry("CUDA_MPS_ACTIVE_THREAD_PERCENTAGE", "1");
  }
}
