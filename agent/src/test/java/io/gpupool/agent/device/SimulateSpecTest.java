package io.gpupool.agent.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class SimulateSpecTest {

  @Test
  void parsesOneGroup() {
    SimulateSpec spec = SimulateSpec.parse("4xH100-80GB");

    assertThat(spec.groups()).containsExactly(new SimulateSpec.Group(4, "H100", 80));
    assertThat(spec.deviceCount()).isEqualTo(4);
    SimulateSpec.Group group = spec.groups().get(0);
    assertThat(group.deviceModel()).isEqualTo("NVIDIA H100 80GB");
    assertThat(group.memoryBytes()).isEqualTo(80L * 1024 * 1024 * 1024);
  }

  @Test
  void parsesSeveralGroupsInOrder() {
    SimulateSpec spec = SimulateSpec.parse("2xA100-40GB, 1xT4-16GB");

    assertThat(spec.groups())
        .containsExactly(
            new SimulateSpec.Group(2, "A100", 40), new SimulateSpec.Group(1, "T4", 16));
    assertThat(spec.deviceCount()).isEqualTo(3);
    assertThat(spec).hasToString("2xA100-40GB,1xT4-16GB");
  }

  @Test
  void modelMayContainDashesAndCaseOfXAndGbDoesNotMatter() {
    SimulateSpec spec = SimulateSpec.parse("8XRTX-4090-24gb");

    assertThat(spec.groups()).containsExactly(new SimulateSpec.Group(8, "RTX-4090", 24));
  }

  @Test
  void rejectsMalformedGroupNamingItAndTheExpectedForm() {
    assertThatThrownBy(() -> SimulateSpec.parse("2xA100-40GB,T4"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'T4'")
        .hasMessageContaining("NxMODEL-MEMGB");
    assertThatThrownBy(() -> SimulateSpec.parse("4xH100"))
        .hasMessageContaining("'4xH100'")
        .hasMessageContaining("NxMODEL-MEMGB");
    assertThatThrownBy(() -> SimulateSpec.parse("4xH100-80")).hasMessageContaining("'4xH100-80'");
    assertThatThrownBy(() -> SimulateSpec.parse("xH100-80GB")).hasMessageContaining("'xH100-80GB'");
  }

  @Test
  void rejectsEmptySpecAndEmptyGroups() {
    assertThatThrownBy(() -> SimulateSpec.parse("")).hasMessageContaining("empty");
    assertThatThrownBy(() -> SimulateSpec.parse("  ")).hasMessageContaining("empty");
    assertThatThrownBy(() -> SimulateSpec.parse("1xT4-16GB,")).hasMessageContaining("bad group ''");
  }

  @Test
  void rejectsZeroCountsAndMemory() {
    assertThatThrownBy(() -> SimulateSpec.parse("0xA100-80GB"))
        .hasMessageContaining("'0xA100-80GB'")
        .hasMessageContaining("N must be at least 1");
    assertThatThrownBy(() -> SimulateSpec.parse("1xA100-0GB"))
        .hasMessageContaining("MEM must be at least 1");
  }

  @Test
  void rejectsMoreDevicesThanTheLimit() {
    assertThatThrownBy(() -> SimulateSpec.parse("1000xA100-80GB,1000xT4-16GB"))
        .hasMessageContaining("more than " + SimulateSpec.MAX_DEVICES);
  }
}
