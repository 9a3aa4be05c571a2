package io.gpupool.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Duration;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.JsonFormat;
import io.gpupool.proto.v1.GetUsageRequest;
import io.gpupool.proto.v1.GetUsageResponse;
import io.gpupool.proto.v1.UsageGrouping;
import io.gpupool.proto.v1.UsageRow;
import io.gpupool.proto.v1.WastefulTask;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class UsageCommandTest {
  private static final GetUsageResponse USAGE =
      GetUsageResponse.newBuilder()
          .setSince(at(Instant.parse("2026-10-27T12:00:00Z")))
          .setUntil(at(CliHarness.NOW))
          .setIdleUtilizationPercent(5)
          .addRows(
              UsageRow.newBuilder()
                  .setKey("team-a")
                  .setGpuHours(120.04)
                  .setIdleGpuHours(30.01)
                  .setEnergyKwh(48.5)
                  .setTaskCount(12)
                  .setQueueWaitP50(seconds(45))
                  .setQueueWaitP95(seconds(600))
                  .setRunTimeP50(seconds(7200))
                  .setRunTimeP95(seconds(3 * 86400)))
          .addRows(
              UsageRow.newBuilder()
                  .setKey("default")
                  .setGpuHours(2)
                  .setTaskCount(1)
                  .setQueueWaitP50(seconds(5))
                  .setQueueWaitP95(seconds(5))
                  .setRunTimeP50(seconds(7200))
                  .setRunTimeP95(seconds(7200)))
          .addWastefulTasks(
              WastefulTask.newBuilder()
                  .setTaskId("t-7")
                  .setName("notebook")
                  .setTenant("team-a")
                  .setSubmittedBy("tok-alice")
                  .setIdleGpuHours(20)
                  .setGpuHours(24))
          .build();

  private CliHarness cli;

  @BeforeEach
  void startFakeController() throws Exception {
    cli = new CliHarness();
    cli.scheduler.usage = USAGE;
  }

  @AfterEach
  void stopFakeController() throws Exception {
    cli.close();
  }

  @Test
  void printsAnAlignedTablePerTenantThenTheMostWastefulTasks() {
    CliHarness.Result result = cli.run("usage", "--since", "7d");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.outLines())
        .containsExactly(
            "Usage from 2026-10-27 12:00:00 to 2026-11-03 12:00:00 (idle: utilization under 5%)",
            "TENANT   GPU-H  IDLE GPU-H  IDLE%  KWH   TASKS  WAIT P50  WAIT P95  RUN P50  RUN P95",
            "team-a   120.0  30.0        25%    48.5  12     45s       10m       2h       3d",
            "default  2.0    0.0         0%     0.0   1      5s        5s        2h       2h",
            "",
            "Most idle GPU time:",
            "TASK  NAME      TENANT  USER       IDLE GPU-H  GPU-H  IDLE%",
            "t-7   notebook  team-a  tok-alice  20.0        24.0   83%");
    GetUsageRequest request = cli.scheduler.usageRequests.get(0);
    assertThat(request.getSince().getSeconds())
        .isEqualTo(Instant.parse("2026-10-27T12:00:00Z").getEpochSecond());
    assertThat(request.hasUntil()).isFalse();
    assertThat(request.getGroupBy()).isEqualTo(UsageGrouping.USAGE_GROUPING_TENANT);
  }

  @Test
  void groupsByGpuModelBetweenDatesAndPrintsJson() throws Exception {
    CliHarness.Result result =
        cli.run(
            "usage",
            "--since",
            "2026-11-01",
            "--until",
            "2026-11-02T06:00:00Z",
            "--by",
            "gpu-model",
            "-o",
            "json");

    assertThat(result.exitCode()).as(result.err()).isZero();
    GetUsageResponse.Builder parsed = GetUsageResponse.newBuilder();
    JsonFormat.parser().merge(result.out(), parsed);
    assertThat(parsed.build()).isEqualTo(USAGE);
    GetUsageRequest request = cli.scheduler.usageRequests.get(0);
    assertThat(request.getSince().getSeconds())
        .isEqualTo(Instant.parse("2026-11-01T00:00:00Z").getEpochSecond());
    assertThat(request.getUntil().getSeconds())
        .isEqualTo(Instant.parse("2026-11-02T06:00:00Z").getEpochSecond());
    assertThat(request.getGroupBy()).isEqualTo(UsageGrouping.USAGE_GROUPING_GPU_MODEL);
  }

  @Test
  void aBadGroupingOrPeriodNamesTheFlag() {
    CliHarness.Result badBy = cli.run("usage", "--by", "team");
    CliHarness.Result badSince = cli.run("usage", "--since", "last week");

    assertThat(badBy.exitCode()).isNotZero();
    assertThat(badBy.err()).contains("--by: must be tenant, user or gpu-model, got 'team'");
    assertThat(badSince.exitCode()).isNotZero();
    assertThat(badSince.err()).contains("--since: 'last week' is neither a duration");
    assertThat(cli.scheduler.usageRequests).isEmpty();
  }

  private static Timestamp at(Instant instant) {
    return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).build();
  }

  private static Duration seconds(long s) {
    return Duration.newBuilder().setSeconds(s).build();
  }
}
