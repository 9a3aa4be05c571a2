package io.gpupool.controller.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpupool.controller.testing.SecuredController;
import io.gpupool.controller.testing.TestSpecs;
import io.gpupool.proto.v1.AuditEvent;
import io.gpupool.proto.v1.CancelTaskRequest;
import io.gpupool.proto.v1.CordonNodeRequest;
import io.gpupool.proto.v1.CreateTokenRequest;
import io.gpupool.proto.v1.ListAuditEventsRequest;
import io.gpupool.proto.v1.ListTasksRequest;
import io.gpupool.proto.v1.RevokeTokenRequest;
import io.gpupool.proto.v1.Role;
import io.gpupool.proto.v1.SubmitTaskRequest;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The audit log records who did what, and keeps it across restarts. */
@Timeout(60)
class AuditTest {
  @TempDir Path dir;

  @Test
  void submitsCancelsNodeAndTokenChangesAndRefusalsAreRecordedWithWhoAndWhen() throws Exception {
    Path data = dir.resolve("data");
    String userId;
    String adminId;
    String taskId;
    String createdId;
    try (SecuredController cluster = SecuredController.start(data, c -> c)) {
      adminId = TokenSecrets.idOf(cluster.adminSecret).orElseThrow();
      String user = cluster.token(Role.ROLE_USER, "team-a");
      userId = TokenSecrets.idOf(user).orElseThrow();
      createdId = userId;
      cluster.register("n1", SecuredController.JOIN_TOKEN);

      taskId =
          cluster
              .scheduler(user)
              .submitTask(SubmitTaskRequest.newBuilder().setSpec(TestSpecs.gpuTask(1)).build())
              .getTask()
              .getId();
      cluster.scheduler(user).cancelTask(CancelTaskRequest.newBuilder().setId(taskId).build());
      cluster
          .scheduler(cluster.adminSecret)
          .cordonNode(CordonNodeRequest.newBuilder().setNode("n1").setCordoned(true).build());
      assertThatThrownBy(
              () ->
                  cluster
                      .scheduler(user)
                      .cordonNode(CordonNodeRequest.newBuilder().setNode("n1").build()))
          .isInstanceOf(StatusRuntimeException.class);
      assertThatThrownBy(
              () -> cluster.scheduler(null).listTasks(ListTasksRequest.getDefaultInstance()))
          .isInstanceOf(StatusRuntimeException.class);
      cluster
          .admin(cluster.adminSecret)
          .revokeToken(RevokeTokenRequest.newBuilder().setId(userId).build());
      cluster.scheduler(cluster.adminSecret).listTasks(ListTasksRequest.getDefaultInstance());

      List<AuditEvent> events = audit(cluster, 0, 0);

      assertThat(events)
          .extracting(
              e ->
                  String.join(
                      " ",
                      e.getMethod().replace("gpupool.v1.", ""),
                      e.getOutcome(),
                      e.getTarget(),
                      e.getTokenId(),
                      Roles.name(e.getRole()),
                      e.getTenant()))
          .containsExactly(
              "AdminService/CreateToken OK " + userId + " " + adminId + " admin ",
              "SchedulerService/SubmitTask OK " + taskId + " " + userId + " user team-a",
              "SchedulerService/CancelTask OK " + taskId + " " + userId + " user team-a",
              "SchedulerService/CordonNode OK n1 (cordon) " + adminId + " admin ",
              "SchedulerService/CordonNode PERMISSION_DENIED  " + userId + " user team-a",
              "SchedulerService/ListTasks UNAUTHENTICATED   none ",
              "AdminService/RevokeToken OK " + userId + " " + adminId + " admin ");
      assertThat(events).allSatisfy(e -> assertThat(e.getPeer()).startsWith("127.0.0.1:"));
      assertThat(events)
          .allSatisfy(
              e ->
                  assertThat(e.getTime().getSeconds())
                      .as("the controller's clock")
                      .isEqualTo(cluster.clock.instant().getEpochSecond()));
      assertThat(events)
          .extracting(AuditEvent::getSequence)
          .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
      assertThat(audit(cluster, 2, 3))
          .extracting(AuditEvent::getSequence)
          .containsExactly(3L, 4L, 5L);
    }
    try (SecuredController again = SecuredController.start(data, c -> c)) {
      assertThat(audit(again, 0, 0)).as("stored durably").hasSize(7);
    }
  }

  @Test
  void aRefusedJoinIsRecorded() throws Exception {
    try (SecuredController cluster = SecuredController.start(dir.resolve("data"), c -> c)) {
      assertThatThrownBy(() -> cluster.register("n1", "wrong"))
          .isInstanceOf(StatusRuntimeException.class);

      assertThat(audit(cluster, 0, 0))
          .singleElement()
          .satisfies(
              e -> {
                assertThat(e.getMethod()).isEqualTo("gpupool.v1.AgentService/Register");
                assertThat(e.getOutcome()).isEqualTo("UNAUTHENTICATED");
                assertThat(e.getTokenId()).isEmpty();
              });
    }
  }

  @Test
  void badPagesAreRefusedNamingTheField() throws Exception {
    try (SecuredController cluster = SecuredController.start(dir.resolve("data"), c -> c)) {
      assertThatThrownBy(
              () ->
                  cluster
                      .admin(cluster.adminSecret)
                      .listAuditEvents(
                          ListAuditEventsRequest.newBuilder()
                              .setAfterSequence(-1)
                              .setLimit(1001)
                              .build()))
          .hasMessageContaining("after_sequence: must not be negative, got -1")
          .hasMessageContaining("limit: must be between 0 and 1000, got 1001");
      cluster
          .admin(cluster.adminSecret)
          .createToken(
              CreateTokenRequest.newBuilder().setRole(Role.ROLE_VIEWER).setTenant("x").build());
      assertThat(audit(cluster, 0, 0)).hasSize(1);
    }
  }

  private static List<AuditEvent> audit(SecuredController cluster, long after, int limit) {
    return cluster
        .admin(cluster.adminSecret)
        .listAuditEvents(
            ListAuditEventsRequest.newBuilder().setAfterSequence(after).setLimit(limit).build())
        .getEventsList();
  }
}
