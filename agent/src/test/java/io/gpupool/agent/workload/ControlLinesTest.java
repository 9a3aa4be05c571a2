package io.gpupool.agent.workload;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class ControlLinesTest {

  @Test
  void checkpointedIsTheExactTokenAfterThePrefixWithOptionalText() {
    assertThat(ControlLines.isCheckpointed("##gpupool checkpointed")).isTrue();
    assertThat(ControlLines.isCheckpointed("##gpupool checkpointed saved step 420")).isTrue();
    assertThat(ControlLines.isCheckpointed("##gpupool checkpointed\tat step 1")).isTrue();
  }

  @Test
  void otherLinesAreNotCheckpointed() {
    assertThat(ControlLines.isCheckpointed("##gpupool checkpointedX")).isFalse();
    assertThat(ControlLines.isCheckpointed("##gpupool checkpointed=1")).isFalse();
    assertThat(ControlLines.isCheckpointed("##gpupool  checkpointed")).isFalse();
    assertThat(ControlLines.isCheckpointed("##gpupool Checkpointed")).isFalse();
    assertThat(ControlLines.isCheckpointed(" ##gpupool checkpointed")).isFalse();
    assertThat(ControlLines.isCheckpointed("checkpointed")).isFalse();
    assertThat(ControlLines.isControlLine("##gpupool progress=5")).isFalse();
  }
}
