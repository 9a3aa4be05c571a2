package io.gpupool.controller.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpupool.controller.core.Policies;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Runs the benchmark on tiny clusters: checks that its figures are complete and consistent. */
@Timeout(60)
class SchedulerBenchmarkTest {
  private static final BenchConfig TINY = BenchConfig.of(20, 8, 100);

  @Test
  void aTinyRunPlacesEveryTaskWithinTheClustersCapacity() {
    BenchResult result = new SchedulerBenchmark().run(TINY);

    assertThat(result.placements()).isEqualTo(100);
    assertThat(result.unplaced()).isZero();
    assertThat(result.totalGpus()).isEqualTo(160);
    assertThat(result.peakBusyGpus()).isPositive().isLessThanOrEqualTo(result.totalGpus());
    assertThat(result.passes()).isPositive().isLessThanOrEqualTo(TINY.maxPasses());
    // Every pass decides on every task still pending, so there are at least as many decisions.
    assertThat(result.decisions()).isGreaterThanOrEqualTo(result.placements());
  }

  @Test
  void aTinyRunReportsPositiveTimesInOrder() {
    BenchResult result = new SchedulerBenchmark().run(TINY);

    assertThat(result.scheduleNanos()).isPositive();
    assertThat(result.scheduleCpuNanos()).isPositive();
    assertThat(result.placementsPerSecond()).isPositive();
    assertThat(result.p50DecisionNanos()).isPositive();
    assertThat(result.p99DecisionNanos()).isGreaterThanOrEqualTo(result.p50DecisionNanos());
    assertThat(result.maxDecisionNanos()).isGreaterThanOrEqualTo(result.p99DecisionNanos());
    assertThat(result.heapMb()).isPositive();
  }

  @Test
  void everyPolicyPlacesEveryTaskEventually() {
    for (String policy : Policies.names()) {
      BenchResult result =
          new SchedulerBenchmark()
              .run(new BenchConfig(20, 8, 100, policy, 7, BenchConfig.DEFAULT_MAX_PASSES));

      assertThat(result.unplaced()).as(policy).isZero();
      assertThat(result.placements()).as(policy).isEqualTo(100);
      assertThat(result.peakBusyGpus()).as(policy).isLessThanOrEqualTo(result.totalGpus());
    }
  }

  @Test
  void theSameSeedMakesTheSameDecisions() {
    BenchConfig config = new BenchConfig(10, 4, 60, "default", 42, 1000);

    BenchResult first = new SchedulerBenchmark().run(config);
    BenchResult second = new SchedulerBenchmark().run(config);

    assertThat(second.passes()).isEqualTo(first.passes());
    assertThat(second.decisions()).isEqualTo(first.decisions());
    assertThat(second.preemptions()).isEqualTo(first.preemptions());
    assertThat(second.peakBusyGpus()).isEqualTo(first.peakBusyGpus());
  }

  @Test
  void aRunStopsAfterMaxPassesWithTasksLeft() {
    BenchResult result = new SchedulerBenchmark().run(new BenchConfig(2, 8, 100, "default", 1, 1));

    assertThat(result.passes()).isEqualTo(1);
    assertThat(result.unplaced()).isPositive();
    assertThat(result.placements() + result.unplaced()).isEqualTo(100);
  }

  @Test
  void aWarmedUpRunSaysSoAndWhatWarmedItUp() {
    BenchResult result = new SchedulerBenchmark().runWarmedUp(BenchConfig.of(40, 8, 200));

    assertThat(result.warmup()).isNotNull();
    assertThat(result.fields())
        .containsEntry("warmed_up", true)
        .containsEntry("warmup_nodes", 4L)
        .containsEntry("warmup_tasks", 20L);
  }

  @Test
  void textLinesAlignTheirValuesAndJsonIsOneObjectWithEveryField() {
    BenchResult result = new SchedulerBenchmark().run(TINY);
    Map<String, Object> fields = result.fields();

    String[] lines = result.toText().split("\n");
    assertThat(lines).hasSize(fields.size());
    Pattern keyAndGap = Pattern.compile("^[a-z0-9_]+ +");
    Matcher first = keyAndGap.matcher(lines[0]);
    assertThat(first.find()).isTrue();
    for (String line : lines) {
      Matcher m = keyAndGap.matcher(line);
      assertThat(m.find()).as(line).isTrue();
      assertThat(m.end()).as("value column of " + line).isEqualTo(first.end());
    }
    String json = result.toJson();
    assertThat(json).startsWith("{\"policy\":\"default\",").endsWith("}").doesNotContain("\n");
    for (String key : fields.keySet()) {
      assertThat(json).contains("\"" + key + "\":");
    }
    assertThat(json)
        .contains("\"placements\":100,")
        .contains("\"warmed_up\":false,")
        .containsPattern("\"p99_decision_us\":[0-9]+(\\.[0-9]+)?,");
  }

  @Test
  void aConfigOutOfRangeNamesTheParameter() {
    assertThatThrownBy(() -> BenchConfig.of(0, 8, 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("nodes must be at least 1, got 0");
    assertThatThrownBy(() -> new BenchConfig(1, 8, 10, "nope", 1, 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown policy 'nope'")
        .hasMessageContaining("default");
  }
}
