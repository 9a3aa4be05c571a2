package io.gpupool.controller.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class TimelineTest {

  @Test
  void keepsOnlyChangesAndTheLastStateOfAnInstant() {
    Timeline timeline = new Timeline();
    timeline.record(0, 1, 1);
    timeline.record(0, 2, 1);
    timeline.record(5, 2, 1);
    timeline.record(10, 0, 0);

    assertThat(timeline.size()).isEqualTo(2);
    assertThat(timeline.queued(0)).isEqualTo(2);
    assertThat(timeline.timeMillis(1)).isEqualTo(10);
  }

  @Test
  void averagesAreWeightedByTime() {
    Timeline timeline = new Timeline();
    timeline.record(0, 4, 2); // 4 queued for 0-10
    timeline.record(10, 0, 8); // busy 8 for 10-30
    timeline.record(30, 0, 0);

    assertThat(timeline.averageQueued(0, 40, 4)).containsExactly(4, 0, 0, 0);
    assertThat(timeline.averageBusyGpus(0, 40, 2)).containsExactly((2 * 10 + 8 * 10) / 20.0, 4);
    assertThat(timeline.averageBusyGpus(5, 15, 1)).containsExactly(5);
  }

  @Test
  void timeMustNotGoBack() {
    Timeline timeline = new Timeline();
    timeline.record(10, 1, 1);

    assertThatThrownBy(() -> timeline.record(9, 0, 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
