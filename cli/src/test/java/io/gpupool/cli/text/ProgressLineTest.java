package io.gpupool.cli.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ProgressLineTest {
  private static final ProgressLine.Status HALFWAY =
      new ProgressLine.Status(
          "t-42", "RUNNING", 57.0, 570L, 1000L, Duration.ofSeconds(41), "started");

  @Test
  void showsStateBarPercentStepAndEta() {
    assertThat(ProgressLine.render(HALFWAY, 80))
        .isEqualTo("t-42 RUNNING [###########.........] 57% step 570/1000 eta 0:41");
  }

  @Test
  void neverExceedsTheWidth() {
    for (int width = 1; width <= 100; width++) {
      assertThat(ProgressLine.render(HALFWAY, width))
          .as("width %d", width)
          .hasSizeLessThanOrEqualTo(width);
    }
  }

  @Test
  void dropsTheEtaFirstThenTheStepThenNarrowsTheBar() {
    String full = ProgressLine.render(HALFWAY, 80);

    assertThat(ProgressLine.render(HALFWAY, full.length() - 1))
        .isEqualTo("t-42 RUNNING [###########.........] 57% step 570/1000");
    assertThat(ProgressLine.render(HALFWAY, 40))
        .isEqualTo("t-42 RUNNING [###########.........] 57%");
    assertThat(ProgressLine.render(HALFWAY, 30)).isEqualTo("t-42 RUNNING [######.....] 57%");
    assertThat(ProgressLine.render(HALFWAY, 16)).isEqualTo("t-42 RUNNING 57%");
    assertThat(ProgressLine.render(HALFWAY, 6)).isEqualTo("t-42 R");
  }

  @Test
  void withoutPercentThereIsNoBar() {
    ProgressLine.Status pending =
        new ProgressLine.Status("t-1", "PENDING", null, null, null, null, "");
    ProgressLine.Status stepOnly =
        new ProgressLine.Status("t-1", "RUNNING", null, 7L, null, null, "started");

    assertThat(ProgressLine.render(pending, 80)).isEqualTo("t-1 PENDING");
    assertThat(ProgressLine.render(stepOnly, 80)).isEqualTo("t-1 RUNNING step 7");
  }

  @Test
  void beforeAnyProgressTheReasonIsShownAndCut() {
    ProgressLine.Status waiting =
        new ProgressLine.Status(
            "t-1", "PENDING", null, null, null, null, "waiting for 2 free GPUs");

    assertThat(ProgressLine.render(waiting, 80)).isEqualTo("t-1 PENDING waiting for 2 free GPUs");
    assertThat(ProgressLine.render(waiting, 20)).isEqualTo("t-1 PENDING waiting");
  }

  @Test
  void percentIsClampedToTheBar() {
    assertThat(ProgressLine.percentPart(130.0, 4)).isEqualTo("[####] 100%");
    assertThat(ProgressLine.percentPart(-5.0, 4)).isEqualTo("[....] 0%");
  }

  @Test
  void etaShowsMinutesAndSecondsAndHoursWhenNeeded() {
    assertThat(ProgressLine.clock(Duration.ofSeconds(41))).isEqualTo("0:41");
    assertThat(ProgressLine.clock(Duration.ofSeconds(725))).isEqualTo("12:05");
    assertThat(ProgressLine.clock(Duration.ofSeconds(3723))).isEqualTo("1:02:03");
    assertThat(ProgressLine.clock(Duration.ofSeconds(-3))).isEqualTo("0:00");
  }
}
