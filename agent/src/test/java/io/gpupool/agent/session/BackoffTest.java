package io.gpupool.agent.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class BackoffTest {

  private static final Duration MIN = Duration.ofMillis(100);
  private static final Duration MAX = Duration.ofSeconds(5);

  @Test
  void delaysStayBetweenMinAndAnExponentiallyGrowingCeilingCappedAtMax() {
    Backoff backoff = new Backoff(MIN, MAX, new Random(1));

    for (int attempt = 0; attempt < 20; attempt++) {
      Duration ceiling = MIN.multipliedBy(1L << Math.min(attempt, 10));
      if (ceiling.compareTo(MAX) > 0) {
        ceiling = MAX;
      }
      assertThat(backoff.next()).isBetween(MIN, ceiling);
    }
  }

  @Test
  void delaysAreJitteredAndReachTowardsTheMax() {
    Backoff backoff = new Backoff(MIN, MAX, new Random(2));
    for (int i = 0; i < 10; i++) {
      backoff.next();
    }

    Duration longest = Duration.ZERO;
    Duration shortest = MAX;
    for (int i = 0; i < 200; i++) {
      Duration next = backoff.next();
      longest = next.compareTo(longest) > 0 ? next : longest;
      shortest = next.compareTo(shortest) < 0 ? next : shortest;
    }
    assertThat(longest).isGreaterThan(Duration.ofSeconds(4));
    assertThat(shortest).isLessThan(Duration.ofSeconds(1));
  }

  @Test
  void resetStartsOverAtTheMinimum() {
    Backoff backoff = new Backoff(MIN, MAX, new Random(3));
    for (int i = 0; i < 30; i++) {
      backoff.next();
    }

    backoff.reset();

    assertThat(backoff.next()).isBetween(MIN, MIN.multipliedBy(1));
    assertThat(backoff.next()).isBetween(MIN, MIN.multipliedBy(2));
  }

  @Test
  void equalMinAndMaxGiveFixedDelay() {
    Backoff backoff = new Backoff(MIN, MIN, new Random(4));

    assertThat(backoff.next()).isEqualTo(MIN);
    assertThat(backoff.next()).isEqualTo(MIN);
  }

  @Test
  void rejectsMaxBelowMin() {
    assertThatThrownBy(() -> new Backoff(MAX, MIN, new Random()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
