package io.gpupool.controller.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpupool.controller.testing.SecuredController;
import io.gpupool.controller.testing.TestSpecs;
import io.gpupool.proto.v1.CancelTaskRequest;
import io.gpupool.proto.v1.GetTaskRequest;
import io.gpupool.proto.v1.ListTaskEventsRequest;
import io.gpupool.proto.v1.ListTasksRequest;
import io.gpupool.proto.v1.Role;
import io.gpupool.proto.v1.SchedulerServiceGrpc.SchedulerServiceBlockingStub;
import io.gpupool.proto.v1.SubmitTaskRequest;
import io.gpupool.proto.v1.Task;
import io.gpupool.proto.v1.TaskState;
import io.gpupool.proto.v1.WatchTaskRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Users and viewers live in their tenant: another tenant's task does not exist for them. */
@Timeout(60)
class TenantIsolationTest {
  @TempDir Path dir;
  private SecuredController cluster;
  private SchedulerServiceBlockingStub alice;
  private SchedulerServiceBlockingStub bob;
  private SchedulerServiceBlockingStub bobsViewer;
  private SchedulerServiceBlockingStub admin;

  @BeforeEach
  void start() throws Exception {
    cluster = SecuredController.start(dir.resolve("data"), config -> config);
    alice = cluster.scheduler(cluster.token(Role.ROLE_USER, "team-a"));
    bob = cluster.scheduler(cluster.token(Role.ROLE_USER, "team-b"));
    bobsViewer = cluster.scheduler(cluster.token(Role.ROLE_VIEWER, "team-b"));
    admin = cluster.scheduler(cluster.adminSecret);
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  @Test
  void aUsersSubmitBelongsToItsTenant() {
    Task task = submit(alice, "");

    assertThat(task.getSpec().getTenant()).isEqualTo("team-a");
  }

  @Test
  void anotherTenantsTaskIsNotFoundForGetCancelWatchAndEventsAndMissingFromLists() {
    String id = submit(bob, "").getId();

    for (ThrowingCallable call :
        new ThrowingCallable[] {
          () -> alice.getTask(GetTaskRequest.newBuilder().setId(id).build()),
          () -> alice.cancelTask(CancelTaskRequest.newBuilder().setId(id).build()),
          () -> alice.watchTask(WatchTaskRequest.newBuilder().setId(id).build()).hasNext(),
          () -> alice.listTaskEvents(ListTaskEventsRequest.newBuilder().setId(id).build())
        }) {
      assertThatThrownBy(call)
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
                assertThat(e.getStatus().getDescription())
                    .as("the same answer as for a task that does not exist")
                    .isEqualTo("task " + id + " not found");
              });
    }
    assertThat(alice.listTasks(ListTasksRequest.getDefaultInstance()).getTasksList()).isEmpty();
    assertThat(bob.getTask(GetTaskRequest.newBuilder().setId(id).build()).getTask().getState())
        .as("alice's cancel did nothing")
        .isEqualTo(TaskState.TASK_STATE_PENDING);
  }

  @Test
  void aViewerSeesItsTenantsTasksOnly() {
    String bobs = submit(bob, "").getId();
    submit(alice, "");

    assertThat(bobsViewer.listTasks(ListTasksRequest.getDefaultInstance()).getTasksList())
        .extracting(Task::getId)
        .containsExactly(bobs);
    assertThat(
            bobsViewer.getTask(GetTaskRequest.newBuilder().setId(bobs).build()).getTask().getId())
        .isEqualTo(bobs);
  }

  @Test
  void listsPageThroughTheTenantsTasksOnly() {
    for (int i = 0; i < 5; i++) {
      submit(alice, "");
      submit(bob, "");
    }

    var first = bob.listTasks(ListTasksRequest.newBuilder().setPageSize(3).build());
    var second =
        bob.listTasks(
            ListTasksRequest.newBuilder()
                .setPageSize(3)
                .setPageToken(first.getNextPageToken())
                .build());

    assertThat(first.getTasksList()).hasSize(3);
    assertThat(second.getTasksList()).hasSize(2);
    assertThat(second.getNextPageToken()).isEmpty();
    assertThat(first.getTasksList()).allMatch(t -> t.getSpec().getTenant().equals("team-b"));
    assertThat(second.getTasksList()).allMatch(t -> t.getSpec().getTenant().equals("team-b"));
  }

  @Test
  void adminsSeeAndCancelEveryTenantsTasks() {
    String alices = submit(alice, "").getId();
    String bobs = submit(bob, "").getId();

    assertThat(admin.listTasks(ListTasksRequest.getDefaultInstance()).getTasksList())
        .extracting(Task::getId)
        .containsExactly(alices, bobs);
    assertThat(
            admin
                .cancelTask(CancelTaskRequest.newBuilder().setId(bobs).build())
                .getTask()
                .getState())
        .isEqualTo(TaskState.TASK_STATE_CANCELLED);
  }

  @Test
  void aUserSubmittingForAnotherTenantIsDeniedNamingTheField() {
    assertThatThrownBy(() -> submit(alice, "team-b"))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
              assertThat(e.getStatus().getDescription())
                  .startsWith("spec.tenant: ")
                  .contains("'team-a' only, not 'team-b'");
            });
    assertThat(submit(alice, "team-a").getSpec().getTenant()).isEqualTo("team-a");
    assertThat(submit(admin, "team-z").getSpec().getTenant())
        .as("an admin submits for any tenant")
        .isEqualTo("team-z");
  }

  @Test
  void aRequestIdAnotherTenantUsedIsRefusedWithoutNamingItsTask() {
    Task bobs =
        bob.submitTask(
                SubmitTaskRequest.newBuilder()
                    .setSpec(TestSpecs.gpuTask(1))
                    .setRequestId("r-1")
                    .build())
            .getTask();

    assertThatThrownBy(
            () ->
                alice.submitTask(
                    SubmitTaskRequest.newBuilder()
                        .setSpec(TestSpecs.gpuTask(1))
                        .setRequestId("r-1")
                        .build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.getStatus().getDescription())
                  .isEqualTo("request_id: 'r-1' is already in use; choose another")
                  .doesNotContain(bobs.getId());
            });
  }

  private static Task submit(SchedulerServiceBlockingStub as, String tenant) {
    return as.submitTask(
            SubmitTaskRequest.newBuilder().setSpec(TestSpecs.gpuTask().setTenant(tenant)).build())
        .getTask();
  }
}
