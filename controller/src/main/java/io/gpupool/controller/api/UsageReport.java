package io.gpupool.controller.api;

import com.google.protobuf.util.Durations;
import io.gpupool.controller.state.Timestamps;
import io.gpupool.controller.store.Tenants;
import io.gpupool.proto.v1.GetUsageResponse;
import io.gpupool.proto.v1.Task;
import io.gpupool.proto.v1.TaskUsage;
import io.gpupool.proto.v1.UsageGrouping;
import io.gpupool.proto.v1.UsageRow;
import io.gpupool.proto.v1.WastefulTask;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sums stored tasks' usage over a period into the rows of GetUsage.
 *
 * <p>A task counts when the interval it ran (start_time to end_time, or to {@code now} while it
 * runs) overlaps [since, until); its GPU-seconds, idle GPU-seconds and energy are prorated by the
 * share of that interval inside the period (usage accrues evenly over the run, as far as the report
 * is concerned). Its queue wait and run time count whole in every period it overlaps. A task that
 * never started (no start_time and no usage) is left out.
 *
 * <p>Not thread-safe: one instance serves one request.
 */
final class UsageReport {
  private static final double SECONDS_PER_HOUR = 3600;
  private static final double JOULES_PER_KWH = 3.6e6;

  private final Instant since;
  private final Instant until;
  private final Instant now;
  private final UsageGrouping grouping;
  private final Map<String, Group> groups = new LinkedHashMap<>();
  private final List<WastefulTask> wasteful = new ArrayList<>();

  UsageReport(Instant since, Instant until, Instant now, UsageGrouping grouping) {
    this.since = since;
    this.until = until;
    this.now = now;
    this.grouping = grouping;
  }

  /** Adds one stored task; tasks outside the period are ignored. */
  void add(Task task) {
    TaskUsage usage = task.getUsage();
    Instant start =
        task.hasStartTime()
            ? Timestamps.toInstant(task.getStartTime())
            : usage.getGpuSeconds() > 0 ? Timestamps.toInstant(task.getCreateTime()) : null;
    if (start == null) {
      return;
    }
    Instant end = task.hasEndTime() ? Timestamps.toInstant(task.getEndTime()) : now;
    if (end.isBefore(start)) {
      end = start;
    }
    double fraction = fractionInPeriod(start, end);
    if (fraction < 0) {
      return;
    }
    double gpuHours = usage.getGpuSeconds() * fraction / SECONDS_PER_HOUR;
    double idleHours = usage.getIdleGpuSeconds() * fraction / SECONDS_PER_HOUR;
    Group group = groups.computeIfAbsent(key(task), k -> new Group());
    group.gpuHours += gpuHours;
    group.idleHours += idleHours;
    group.kwh += usage.getEnergyJoules() * fraction / JOULES_PER_KWH;
    group.waits.add(
        Duration.between(Timestamps.toInstant(task.getCreateTime()), start).isNegative()
            ? Duration.ZERO
            : Duration.between(Timestamps.toInstant(task.getCreateTime()), start));
    group.runs.add(Duration.between(start, end));
    if (idleHours > 0) {
      wasteful.add(
          WastefulTask.newBuilder()
              .setTaskId(task.getId())
              .setName(task.getSpec().getName())
              .setTenant(Tenants.of(task.getSpec()))
              .setSubmittedBy(task.getSubmittedBy())
              .setIdleGpuHours(idleHours)
              .setGpuHours(gpuHours)
              .build());
    }
  }

  /** The response: rows by descending GPU-hours, the top {@code topWasteful} wasteful tasks. */
  GetUsageResponse build(int topWasteful, double idleUtilizationPercent) {
    GetUsageResponse.Builder response =
        GetUsageResponse.newBuilder()
            .setSince(Timestamps.of(since))
            .setUntil(Timestamps.of(until))
            .setIdleUtilizationPercent(idleUtilizationPercent);
    groups.entrySet().stream()
        .sorted(
            Comparator.comparing((Map.Entry<String, Group> e) -> -e.getValue().gpuHours)
                .thenComparing(Map.Entry::getKey))
        .forEach(e -> response.addRows(e.getValue().row(e.getKey())));
    wasteful.stream()
        .sorted(
            Comparator.comparing((WastefulTask w) -> -w.getIdleGpuHours())
                .thenComparing(WastefulTask::getTaskId))
        .limit(topWasteful)
        .forEach(response::addWastefulTasks);
    return response.build();
  }

  /** The share of [start, end] inside [since, until); negative when they do not overlap. */
  private double fractionInPeriod(Instant start, Instant end) {
    if (start.equals(end)) {
      return !start.isBefore(since) && start.isBefore(until) ? 1 : -1;
    }
    Instant from = start.isAfter(since) ? start : since;
    Instant to = end.isBefore(until) ? end : until;
    if (!to.isAfter(from)) {
      return -1;
    }
    return (double) Duration.between(from, to).toNanos() / Duration.between(start, end).toNanos();
  }

  private String key(Task task) {
    return switch (grouping) {
      case USAGE_GROUPING_USER -> task.getSubmittedBy();
      case USAGE_GROUPING_GPU_MODEL -> task.getUsage().getGpuModel();
      default -> Tenants.of(task.getSpec());
    };
  }

  /**
   * The nearest-rank percentile of {@code values}, sorted in place; zero for none.
   *
   * @param percent 0 to 100
   */
  static Duration percentile(List<Duration> values, double percent) {
    if (values.isEmpty()) {
      return Duration.ZERO;
    }
    values.sort(null);
    int rank = (int) Math.ceil(percent / 100 * values.size());
    return values.get(Math.max(rank, 1) - 1);
  }

  private static final class Group {
    double gpuHours;
    double idleHours;
    double kwh;
    final List<Duration> waits = new ArrayList<>();
    final List<Duration> runs = new ArrayList<>();

    UsageRow row(String key) {
      return UsageRow.newBuilder()
          .setKey(key)
          .setGpuHours(gpuHours)
          .setIdleGpuHours(idleHours)
          .setEnergyKwh(kwh)
          .setTaskCount(waits.size())
          .setQueueWaitP50(proto(percentile(waits, 50)))
          .setQueueWaitP95(proto(percentile(waits, 95)))
          .setRunTimeP50(proto(percentile(runs, 50)))
          .setRunTimeP95(proto(percentile(runs, 95)))
          .build();
    }

    private static com.google.protobuf.Duration proto(Duration d) {
      return Durations.fromNanos(d.toNanos());
    }
  }
}
