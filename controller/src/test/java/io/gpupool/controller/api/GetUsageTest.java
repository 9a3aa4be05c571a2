package io.gpupool.controller.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpupool.controller.state.Timestamps;
import io.gpupool.controller.store.Changes;
import io.gpupool.controller.store.JdbcStore;
import io.gpupool.controller.store.StoredTask;
import io.gpupool.controller.testing.SecuredController;
import io.gpupool.controller.testing.TestSpecs;
import io.gpupool.proto.v1.GetUsageRequest;
import io.gpupool.proto.v1.GetUsageResponse;
import io.gpupool.proto.v1.Role;
import io.gpupool.proto.v1.SchedulerServiceGrpc.SchedulerServiceBlockingStub;
import io.gpupool.proto.v1.SubmitTaskRequest;
import io.gpupool.proto.v1.Task;
import io.gpupool.proto.v1.UsageRow;
import io.gpupool.proto.v1.WastefulTask;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** GetUsage through a controller with authentication: tenant scoping and input validation. */
@Timeout(60)
class GetUsageTest {
  @TempDir Path dir;
  private SecuredController cluster;

  @BeforeEach
  void start() throws Exception {
    Path data = dir.resolve("data");
    JdbcStore store = JdbcStore.openH2(data);
    try {
      Changes changes = new Changes();
      changes.insert(
          new StoredTask(
              1,
              UsageReportTest.task("t-1", "team-a", "tok-a", "H100", 0, 60, 3660, 7200, 3600, 0),
              0));
      changes.insert(
          new StoredTask(
              2,
              UsageReportTest.task("t-2", "team-b", "tok-b", "H100", 0, 60, 3660, 3600, 1800, 0),
              0));
      store.commit(changes);
    } finally {
      store.close();
    }
    cluster = SecuredController.start(data, config -> config);
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  @Test
  void anAdminSeesEveryTenantAndAUserOrViewerOnlyItsOwn() {
    SchedulerServiceBlockingStub admin = cluster.scheduler(cluster.adminSecret);
    SchedulerServiceBlockingStub alice = cluster.scheduler(cluster.token(Role.ROLE_USER, "team-a"));
    SchedulerServiceBlockingStub bobsViewer =
        cluster.scheduler(cluster.token(Role.ROLE_VIEWER, "team-b"));

    assertThat(admin.getUsage(sinceNovember()).getRowsList())
        .extracting(UsageRow::getKey)
        .containsExactly("team-a", "team-b");
    GetUsageResponse alices = alice.getUsage(sinceNovember());
    assertThat(alices.getRowsList()).extracting(UsageRow::getKey).containsExactly("team-a");
    assertThat(alices.getWastefulTasksList())
        .extracting(WastefulTask::getTaskId)
        .containsExactly("t-1");
    assertThat(bobsViewer.getUsage(sinceNovember()).getRowsList())
        .extracting(UsageRow::getKey)
        .containsExactly("team-b");
  }

  @Test
  void aSubmitRecordsTheSubmittingTokensId() {
    String secret = cluster.token(Role.ROLE_USER, "team-a");

    Task task =
        cluster
            .scheduler(secret)
            .submitTask(SubmitTaskRequest.newBuilder().setSpec(TestSpecs.gpuTask()).build())
            .getTask();

    assertThat(task.getSubmittedBy()).isNotEmpty();
    assertThat(secret).startsWith("gpt_" + task.getSubmittedBy() + "_");
  }

  @Test
  void badInputsAreRefusedNamingTheFields() {
    SchedulerServiceBlockingStub admin = cluster.scheduler(cluster.adminSecret);

    assertThatThrownBy(
            () -> admin.getUsage(GetUsageRequest.newBuilder().setTopWasteful(101).build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.getStatus().getDescription()).contains("since").contains("top_wasteful");
            });
    assertThatThrownBy(
            () ->
                admin.getUsage(
                    sinceNovember().toBuilder()
                        .setUntil(Timestamps.of(Instant.parse("2026-10-01T00:00:00Z")))
                        .build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.getStatus().getDescription()).contains("until");
            });
  }

  private static GetUsageRequest sinceNovember() {
    return GetUsageRequest.newBuilder()
        .setSince(Timestamps.of(Instant.parse("2026-11-01T00:00:00Z")))
        .build();
  }
}
