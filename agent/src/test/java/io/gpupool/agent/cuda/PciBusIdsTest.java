package io.gpupool.agent.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class PciBusIdsTest {

  @Test
  void nvmlAndCudaSpellingsOfOneDeviceAreTheSame() {
    assertThat(PciBusIds.normalize("00000000:3B:00.0")).contains("0000:3b:00.0");
    assertThat(PciBusIds.normalize("0000:3b:00.0")).contains("0000:3b:00.0");
    assertThat(PciBusIds.same("00000000:3B:00.0", "0000:3b:00.0")).isTrue();
  }

  @Test
  void differentDevicesDiffer() {
    assertThat(PciBusIds.same("00000000:3B:00.0", "0000:3c:00.0")).isFalse();
    assertThat(PciBusIds.same("00000001:3B:00.0", "0000:3b:00.0")).isFalse();
  }

  @Test
  void aMissingDomainIsZeroAndGarbageIsNoBusId() {
    assertThat(PciBusIds.normalize("3b:00.0")).contains("0000:3b:00.0");
    assertThat(PciBusIds.normalize("")).isEmpty();
    assertThat(PciBusIds.normalize("GPU-1234")).isEmpty();
    assertThat(PciBusIds.same("", "")).isFalse();
  }
}
