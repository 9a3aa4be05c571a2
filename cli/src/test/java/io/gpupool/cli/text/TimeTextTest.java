package io.gpupool.cli.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(10)
class TimeTextTest {
  private static final Instant NOW = Instant.parse("2026-11-03T12:00:00Z");

  @ParameterizedTest
  @CsvSource({
    "0, 0s",
    "5, 5s",
    "59, 59s",
    "60, 1m",
    "3599, 59m",
    "3600, 1h",
    "86399, 23h",
    "90000, 1d"
  })
  void agesUseTheirLargestWholeUnit(long seconds, String expected) {
    assertThat(TimeText.age(NOW.minusSeconds(seconds), NOW)).isEqualTo(expected);
  }

  @Test
  void aFutureInstantIsZeroSecondsOld() {
    assertThat(TimeText.age(NOW.plus(Duration.ofMinutes(5)), NOW)).isEqualTo("0s");
  }

  @Test
  void timesAreShownInTheGivenZone() {
    TimeText berlin = new TimeText(ZoneId.of("Europe/Berlin"));

    assertThat(berlin.time(NOW)).isEqualTo("13:00:00");
    assertThat(berlin.dateTime(NOW)).isEqualTo("2026-11-03 13:00:00");
  }
}
