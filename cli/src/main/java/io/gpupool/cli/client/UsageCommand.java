package io.gpupool.cli.client;

import io.gpupool.cli.text.DurationParser;
import io.gpupool.cli.text.NumberText;
import io.gpupool.cli.text.TablePrinter;
import io.gpupool.cli.text.TimeText;
import io.gpupool.proto.v1.GetUsageRequest;
import io.gpupool.proto.v1.GetUsageResponse;
import io.gpupool.proto.v1.UsageGrouping;
import io.gpupool.proto.v1.UsageRow;
import io.gpupool.proto.v1.WastefulTask;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code gpupool usage}: GPU-hours, idle GPU-hours, energy and queue/run percentiles per tenant,
 * user or GPU model over a period, then the tasks that wasted the most allocated GPU time.
 */
@Command(
    name = "usage",
    description =
        "Shows GPU usage over a period: GPU-hours, idle GPU-hours, kWh, queue-wait and run-time"
            + " percentiles per tenant, user or GPU model, and the most wasteful tasks.")
public final class UsageCommand implements Callable<Integer> {
  @Mixin private ControllerOptions controller;

  @Spec private picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--since",
      defaultValue = "7d",
      description =
          "Start of the period: a duration before now (e.g. 7d, 12h) or a UTC date/time"
              + " (2026-11-01, 2026-11-01T08:00:00Z). Default: ${DEFAULT-VALUE}.")
  private String since;

  @Option(
      names = "--until",
      description = "End of the period, in the same forms as --since. Default: now.")
  private String until;

  @Option(
      names = "--by",
      defaultValue = "tenant",
      description = "Group rows by tenant, user or gpu-model. Default: ${DEFAULT-VALUE}.")
  private String by;

  @Option(
      names = "--top",
      defaultValue = "10",
      description = "How many wasteful tasks to list, 1 to 100. Default: ${DEFAULT-VALUE}.")
  private int top;

  @Override
  public Integer call() {
    Clock clock = controller.context().clock();
    Instant now = clock.instant();
    UsageGrouping grouping = grouping(by);
    if (top < 1 || top > 100) {
      throw new ParameterException(spec.commandLine(), "--top: must be 1 to 100, got " + top);
    }
    GetUsageRequest.Builder request =
        GetUsageRequest.newBuilder()
            .setSince(timestamp(instant("--since", since, now)))
            .setGroupBy(grouping)
            .setTopWasteful(top);
    if (until != null) {
      request.setUntil(timestamp(instant("--until", until, now)));
    }
    GetUsageResponse usage;
    try (ControllerConnection connection = controller.connect()) {
      usage = connection.call().getUsage(request.build());
    }
    if (controller.json()) {
      controller.out().println(Json.pretty(usage));
    } else {
      print(usage, grouping, new TimeText(clock.getZone()));
    }
    controller.out().flush();
    return 0;
  }

  private void print(GetUsageResponse usage, UsageGrouping grouping, TimeText time) {
    var out = controller.out();
    out.println(
        "Usage from "
            + time.dateTime(ProtoTime.instant(true, usage.getSince()).orElseThrow())
            + " to "
            + time.dateTime(ProtoTime.instant(true, usage.getUntil()).orElseThrow())
            + " (idle: utilization under "
            + NumberText.compact(usage.getIdleUtilizationPercent())
            + "%)");
    if (usage.getRowsCount() == 0) {
      out.println("No GPU usage in this period.");
      return;
    }
    TablePrinter rows =
        TablePrinter.withHeader(
            column(grouping),
            "GPU-H",
            "IDLE GPU-H",
            "IDLE%",
            "KWH",
            "TASKS",
            "WAIT P50",
            "WAIT P95",
            "RUN P50",
            "RUN P95");
    for (UsageRow row : usage.getRowsList()) {
      rows.row(
          row.getKey().isEmpty() ? "-" : row.getKey(),
          NumberText.oneDecimal(row.getGpuHours()),
          NumberText.oneDecimal(row.getIdleGpuHours()),
          percent(row.getIdleGpuHours(), row.getGpuHours()),
          NumberText.oneDecimal(row.getEnergyKwh()),
          row.getTaskCount(),
          duration(row.getQueueWaitP50()),
          duration(row.getQueueWaitP95()),
          duration(row.getRunTimeP50()),
          duration(row.getRunTimeP95()));
    }
    rows.print(out, "");
    if (usage.getWastefulTasksCount() > 0) {
      out.println();
      out.println("Most idle GPU time:");
      TablePrinter tasks =
          TablePrinter.withHeader("TASK", "NAME", "TENANT", "USER", "IDLE GPU-H", "GPU-H", "IDLE%");
      for (WastefulTask task : usage.getWastefulTasksList()) {
        tasks.row(
            task.getTaskId(),
            task.getName(),
            task.getTenant(),
            task.getSubmittedBy().isEmpty() ? "-" : task.getSubmittedBy(),
            NumberText.oneDecimal(task.getIdleGpuHours()),
            NumberText.oneDecimal(task.getGpuHours()),
            percent(task.getIdleGpuHours(), task.getGpuHours()));
      }
      tasks.print(out, "");
    }
  }

  private static String column(UsageGrouping grouping) {
    return switch (grouping) {
      case USAGE_GROUPING_USER -> "USER";
      case USAGE_GROUPING_GPU_MODEL -> "GPU MODEL";
      default -> "TENANT";
    };
  }

  private static String percent(double part, double whole) {
    return whole <= 0 ? "-" : Math.round(100 * part / whole) + "%";
  }

  private static String duration(com.google.protobuf.Duration d) {
    return TimeText.shortDuration(ProtoTime.javaDuration(d));
  }

  private UsageGrouping grouping(String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "tenant" -> UsageGrouping.USAGE_GROUPING_TENANT;
      case "user" -> UsageGrouping.USAGE_GROUPING_USER;
      case "gpu-model" -> UsageGrouping.USAGE_GROUPING_GPU_MODEL;
      default ->
          throw new ParameterException(
              spec.commandLine(), "--by: must be tenant, user or gpu-model, got '" + value + "'");
    };
  }

  private static com.google.protobuf.Timestamp timestamp(Instant instant) {
    return com.google.protobuf.Timestamp.newBuilder()
        .setSeconds(instant.getEpochSecond())
        .setNanos(instant.getNano())
        .build();
  }

  /** A duration before now, a UTC date, or an ISO-8601 instant. */
  private Instant instant(String option, String value, Instant now) {
    try {
      return now.minus(DurationParser.parse(value));
    } catch (IllegalArgumentException notADuration) {
      try {
        return value.contains("T")
            ? Instant.parse(value)
            : LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant();
      } catch (DateTimeParseException e) {
        throw new ParameterException(
            spec.commandLine(),
            option
                + ": '"
                + value
                + "' is neither a duration ("
                + DurationParser.EXAMPLES
                + ", 7d) nor a date such as 2026-11-01 or 2026-11-01T08:00:00Z");
      }
    }
  }
}
