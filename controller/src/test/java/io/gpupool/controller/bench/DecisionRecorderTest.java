package io.gpupool.controller.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class DecisionRecorderTest {

  @Test
  void percentilesAreNearestRank() {
    long[] hundred = new long[100];
    for (int i = 0; i < hundred.length; i++) {
      hundred[i] = i + 1;
    }

    assertThat(DecisionRecorder.percentile(hundred, 50)).isEqualTo(50);
    assertThat(DecisionRecorder.percentile(hundred, 99)).isEqualTo(99);
    assertThat(DecisionRecorder.percentile(hundred, 100)).isEqualTo(100);
    assertThat(DecisionRecorder.percentile(new long[] {7}, 99)).isEqualTo(7);
    assertThat(DecisionRecorder.percentile(new long[0], 99)).isZero();
  }

  @Test
  void everyDecisionIsKeptPastTheFirstBuffer() {
    DecisionRecorder recorder = new DecisionRecorder();
    int decisions = (1 << 16) + 5;
    for (int i = 0; i < decisions; i++) {
      recorder.begin();
      recorder.end();
    }

    assertThat(recorder.count()).isEqualTo(decisions);
    long[] sorted = recorder.sorted();
    assertThat(sorted).hasSize(decisions);
    assertThat(sorted[0]).isGreaterThanOrEqualTo(0);
    assertThat(sorted[decisions - 1]).isGreaterThanOrEqualTo(sorted[0]);
  }
}
