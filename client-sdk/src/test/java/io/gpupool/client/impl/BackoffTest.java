package io.gpupool.client.impl;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class BackoffTest {
  private static final Duration INITIAL = Duration.ofMillis(100);
  private static final Duration MAX = Duration.ofSeconds(1);

  @Test
  void theDelayDoublesPerAttemptUpToTheMaximum() {
    Backoff backoff = new Backoff(INITIAL, MAX, () -> 0.5); // no jitter

    assertThat(backoff.delay(0)).isEqualTo(Duration.ofMillis(100));
    assertThat(backoff.delay(1)).isEqualTo(Duration.ofMillis(200));
    assertThat(backoff.delay(3)).isEqualTo(Duration.ofMillis(800));
    assertThat(backoff.delay(4)).isEqualTo(MAX);
    assertThat(backoff.delay(1000)).isEqualTo(MAX);
  }

  @Test
  void jitterStaysWithinTwentyPercentAndUnderTheMaximum() {
    assertThat(new Backoff(INITIAL, MAX, () -> 0.0).delay(1)).isEqualTo(Duration.ofMillis(160));
    assertThat(new Backoff(INITIAL, MAX, () -> 0.999).delay(1))
        .isBetween(Duration.ofMillis(239), Duration.ofMillis(240));
    assertThat(new Backoff(INITIAL, MAX, () -> 0.999).delay(10)).isEqualTo(MAX);
  }
}
