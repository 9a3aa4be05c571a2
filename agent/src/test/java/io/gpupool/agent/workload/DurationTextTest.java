package io.gpupool.agent.workload;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class DurationTextTest {

  @Test
  void writesDurationsAsUsersWriteThem() {
    assertThat(DurationText.format(Duration.ofMinutes(5))).isEqualTo("5m");
    assertThat(DurationText.format(Duration.ofSeconds(90))).isEqualTo("1m30s");
    assertThat(DurationText.format(Duration.ofMinutes(150))).isEqualTo("2h30m");
    assertThat(DurationText.format(Duration.ofMillis(300))).isEqualTo("300ms");
    assertThat(DurationText.format(Duration.ofMillis(1500))).isEqualTo("1s500ms");
    assertThat(DurationText.format(Duration.ZERO)).isEqualTo("0s");
  }
}
