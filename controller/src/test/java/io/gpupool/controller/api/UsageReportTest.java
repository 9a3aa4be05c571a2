package io.gpupool.controller.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.google.protobuf.util.Durations;
import io.gpupool.controller.state.Timestamps;
import io.gpupool.proto.v1.GetUsageResponse;
import io.gpupool.proto.v1.Task;
import io.gpupool.proto.v1.TaskSpec;
import io.gpupool.proto.v1.TaskState;
import io.gpupool.proto.v1.TaskUsage;
import io.gpupool.proto.v1.UsageGrouping;
import io.gpupool.proto.v1.UsageRow;
import io.gpupool.proto.v1.WastefulTask;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** How stored tasks add up into GetUsage rows: groups, percentiles, the period's edges, waste. */
@Timeout(10)
class UsageReportTest {
  private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");
  private static final Instant NOW = T0.plus(Duration.ofDays(10));

  @Test
  void rowsGroupByTenantWithHoursKwhAndCounts() {
    UsageReport report = report(T0, NOW, UsageGrouping.USAGE_GROUPING_UNSPECIFIED);
    report.add(task("t-1", "team-a", "tok-1", "H100", 0, 60, 120, 7200, 3600, 3.6e6));
    report.add(task("t-2", "team-a", "tok-2", "A100", 0, 60, 120, 3600, 0, 3.6e6));
    report.add(task("t-3", "", "", "H100", 0, 0, 60, 1800, 0, 0));

    GetUsageResponse response = report.build(10, 5);

    assertThat(response.getRowsList())
        .extracting(UsageRow::getKey)
        .containsExactly("team-a", "default");
    UsageRow a = response.getRows(0);
    assertThat(a.getGpuHours()).isCloseTo(3, within(1e-9));
    assertThat(a.getIdleGpuHours()).isCloseTo(1, within(1e-9));
    assertThat(a.getEnergyKwh()).isCloseTo(2, within(1e-9));
    assertThat(a.getTaskCount()).isEqualTo(2);
    assertThat(response.getIdleUtilizationPercent()).isEqualTo(5);
  }

  @Test
  void rowsGroupByUserAndByGpuModel() {
    List<Task> tasks =
        List.of(
            task("t-1", "team-a", "tok-1", "H100", 0, 0, 60, 3600, 0, 0),
            task("t-2", "team-a", "tok-2", "A100", 0, 0, 60, 7200, 0, 0),
            task("t-3", "team-b", "tok-1", "H100", 0, 0, 60, 3600, 0, 0));

    UsageReport byUser = report(T0, NOW, UsageGrouping.USAGE_GROUPING_USER);
    tasks.forEach(byUser::add);
    UsageReport byModel = report(T0, NOW, UsageGrouping.USAGE_GROUPING_GPU_MODEL);
    tasks.forEach(byModel::add);

    assertThat(byUser.build(10, 5).getRowsList())
        .extracting(UsageRow::getKey, UsageRow::getGpuHours)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("tok-1", 2.0),
            org.assertj.core.groups.Tuple.tuple("tok-2", 2.0));
    assertThat(byModel.build(10, 5).getRowsList())
        .extracting(UsageRow::getKey, UsageRow::getGpuHours)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("A100", 2.0),
            org.assertj.core.groups.Tuple.tuple("H100", 2.0));
  }

  @Test
  void queueWaitAndRunTimePercentilesAreNearestRank() {
    UsageReport report = report(T0, NOW, UsageGrouping.USAGE_GROUPING_TENANT);
    for (int i = 1; i <= 20; i++) {
      // wait i minutes, run 10*i minutes
      report.add(task("t-" + i, "team-a", "", "H100", 0, i * 60, i * 60 + i * 600, 60, 0, 0));
    }

    UsageRow row = report.build(10, 5).getRows(0);

    assertThat(row.getTaskCount()).isEqualTo(20);
    assertThat(Durations.toSeconds(row.getQueueWaitP50())).isEqualTo(10 * 60);
    assertThat(Durations.toSeconds(row.getQueueWaitP95())).isEqualTo(19 * 60);
    assertThat(Durations.toSeconds(row.getRunTimeP50())).isEqualTo(10 * 600);
    assertThat(Durations.toSeconds(row.getRunTimeP95())).isEqualTo(19 * 600);
  }

  @Test
  void aTaskStraddlingThePeriodIsProratedByItsRunIntervalAndOneOutsideIsLeftOut() {
    Instant since = T0.plus(Duration.ofHours(1));
    UsageReport report = report(since, NOW, UsageGrouping.USAGE_GROUPING_TENANT);
    // ran from T0 to T0+2h: half of it inside the period
    report.add(task("t-1", "team-a", "", "H100", 0, 0, 7200, 7200, 3600, 7.2e6));
    // ended before the period
    report.add(task("t-2", "team-b", "", "H100", 0, 0, 1800, 7200, 3600, 7.2e6));

    GetUsageResponse response = report.build(10, 5);

    assertThat(response.getRowsList()).hasSize(1);
    UsageRow row = response.getRows(0);
    assertThat(row.getGpuHours()).isCloseTo(1, within(1e-9));
    assertThat(row.getIdleGpuHours()).isCloseTo(0.5, within(1e-9));
    assertThat(row.getEnergyKwh()).isCloseTo(1, within(1e-9));
  }

  @Test
  void theMostWastefulTasksComeFirstAndOnlyTheTopN() {
    UsageReport report = report(T0, NOW, UsageGrouping.USAGE_GROUPING_TENANT);
    report.add(task("t-1", "team-a", "tok-1", "H100", 0, 0, 60, 7200, 3600, 0));
    report.add(task("t-2", "team-a", "tok-1", "H100", 0, 0, 60, 7200, 7200, 0));
    report.add(task("t-3", "team-b", "tok-2", "H100", 0, 0, 60, 7200, 1800, 0));
    report.add(task("t-4", "team-b", "tok-2", "H100", 0, 0, 60, 7200, 0, 0));

    List<WastefulTask> top = report.build(2, 5).getWastefulTasksList();

    assertThat(top).extracting(WastefulTask::getTaskId).containsExactly("t-2", "t-1");
    assertThat(top.get(0).getIdleGpuHours()).isCloseTo(2, within(1e-9));
    assertThat(top.get(0).getTenant()).isEqualTo("team-a");
    assertThat(top.get(0).getSubmittedBy()).isEqualTo("tok-1");
  }

  @Test
  void percentileOfNothingIsZero() {
    assertThat(UsageReport.percentile(new ArrayList<>(), 95)).isEqualTo(Duration.ZERO);
  }

  private static UsageReport report(Instant since, Instant until, UsageGrouping grouping) {
    return new UsageReport(since, until, NOW, grouping);
  }

  /** A finished task; times in seconds after T0. */
  static Task task(
      String id,
      String tenant,
      String user,
      String model,
      long created,
      long started,
      long ended,
      double gpuSeconds,
      double idleSeconds,
      double joules) {
    return Task.newBuilder()
        .setId(id)
        .setSpec(TaskSpec.newBuilder().setName("job-" + id).setTenant(tenant))
        .setState(TaskState.TASK_STATE_SUCCEEDED)
        .setSubmittedBy(user)
        .setCreateTime(Timestamps.of(T0.plusSeconds(created)))
        .setStartTime(Timestamps.of(T0.plusSeconds(started)))
        .setEndTime(Timestamps.of(T0.plusSeconds(ended)))
        .setUsage(
            TaskUsage.newBuilder()
                .setGpuSeconds(gpuSeconds)
                .setIdleGpuSeconds(idleSeconds)
                .setEnergyJoules(joules)
                .setGpuModel(model))
        .build();
  }
}
