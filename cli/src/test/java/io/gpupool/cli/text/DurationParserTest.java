package io.gpupool.cli.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(10)
class DurationParserTest {
  @ParameterizedTest
  @CsvSource({
    "90s, PT1M30S",
    "5m, PT5M",
    "2h, PT2H",
    "1h30m, PT1H30M",
    "500ms, PT0.5S",
    "1d, PT24H",
    "1h0m5s250ms, PT1H0M5.25S",
    "0s, PT0S",
    "PT5M, PT5M",
    "pt1h30m, PT1H30M",
    "P1D, PT24H",
    "' 5M ', PT5M"
  })
  void parsesShortAndIsoForms(String text, String expected) {
    assertThat(DurationParser.parse(text)).isEqualTo(Duration.parse(expected));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"", "5", "m", "5x", "1h 30m", "30m1", "-5m", "1.5h", "PT", "-PT5M", "5mm"})
  void rejectsAnythingElseSayingWhatIsAccepted(String text) {
    assertThatThrownBy(() -> DurationParser.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + text + "'");
  }

  @Test
  void rejectionListsTheAcceptedForms() {
    assertThatThrownBy(() -> DurationParser.parse("soon"))
        .hasMessage("'soon' is not a duration; use e.g. 90s, 5m, 2h, 1h30m, 500ms or PT5M");
  }

  @Test
  void rejectsOverflowInsteadOfWrappingAround() {
    assertThatThrownBy(() -> DurationParser.parse("99999999999999999999d"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("too long");
  }
}
