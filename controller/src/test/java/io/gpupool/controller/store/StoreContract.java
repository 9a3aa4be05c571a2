package io.gpupool.controller.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import io.gpupool.controller.testing.TestSpecs;
import io.gpupool.proto.v1.AuditEvent;
import io.gpupool.proto.v1.DeviceDiagnostic;
import io.gpupool.proto.v1.DeviceInfo;
import io.gpupool.proto.v1.DiagnosticReport;
import io.gpupool.proto.v1.Gpu;
import io.gpupool.proto.v1.GpuQuarantine;
import io.gpupool.proto.v1.KernelOutput;
import io.gpupool.proto.v1.KernelResult;
import io.gpupool.proto.v1.LogLine;
import io.gpupool.proto.v1.Node;
import io.gpupool.proto.v1.Role;
import io.gpupool.proto.v1.Task;
import io.gpupool.proto.v1.TaskEvent;
import io.gpupool.proto.v1.TaskResult;
import io.gpupool.proto.v1.TaskState;
import io.gpupool.proto.v1.Token;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What every {@link Store} backend must do; {@link H2StoreTest} and {@link PostgresStoreTest} run
 * it against embedded H2 and PostgreSQL.
 */
@Timeout(60)
abstract class StoreContract {
  private JdbcStore store;

  /** Opens the backend's store on the same database every time it is called within one test. */
  abstract JdbcStore openStore();

  /** A plain connection to the store's database, to act as another controller would. */
  abstract Connection connect() throws SQLException;

  @BeforeEach
  void open() {
    store = openStore();
  }

  @AfterEach
  void close() {
    if (store != null) {
      store.close();
    }
  }

  @Test
  void committedTasksEventsAndNodesSurviveReopening() {
    Changes changes = new Changes();
    changes.insert(new StoredTask(1, task("t-1", TaskState.TASK_STATE_RUNNING, "r-1"), 2));
    changes.insert(new StoredTask(2, task("t-2", TaskState.TASK_STATE_SUCCEEDED, ""), 1));
    changes.append(log("t-1", 1, "one"));
    changes.append(log("t-1", 2, "two"));
    changes.upsert(
        new NodeRecord(Node.newBuilder().setId("n-1").setName("gpu1").build(), "hash", "i-1", 7));
    store.commit(changes);
    store.close();

    store = openStore();
    StoredState state = store.load();
    assertThat(state.maxTaskSequence()).isEqualTo(2);
    assertThat(state.activeTasks()).extracting(t -> t.task().getId()).containsExactly("t-1");
    assertThat(state.activeTasks().get(0).lastEventSequence()).isEqualTo(2);
    assertThat(state.nodes())
        .singleElement()
        .satisfies(
            n -> {
              assertThat(n.node().getName()).isEqualTo("gpu1");
              assertThat(n.lastAppliedUpdate()).isEqualTo(7);
            });
    assertThat(store.listEvents("t-1", 0, 10))
        .extracting(e -> e.getLog().getText())
        .containsExactly("one", "two");
    assertThat(store.listEvents("t-1", 1, 10))
        .extracting(TaskEvent::getSequence)
        .containsExactly(2L);
    assertThat(store.findTaskByRequestId("r-1")).map(Task::getId).contains("t-1");
  }

  @Test
  void updatesReplaceTheTaskAndUpsertsReplaceTheNode() {
    Changes first = new Changes();
    first.insert(new StoredTask(1, task("t-1", TaskState.TASK_STATE_PENDING, ""), 1));
    first.upsert(new NodeRecord(Node.newBuilder().setId("n-1").setName("old").build(), "h", "", 0));
    store.commit(first);
    Changes second = new Changes();
    second.update(new StoredTask(1, task("t-1", TaskState.TASK_STATE_CANCELLED, ""), 2));
    second.upsert(
        new NodeRecord(Node.newBuilder().setId("n-1").setName("new").build(), "h2", "i", 3));
    store.commit(second);

    assertThat(store.findTask("t-1")).map(Task::getState).contains(TaskState.TASK_STATE_CANCELLED);
    assertThat(store.load().activeTasks()).isEmpty();
    assertThat(store.load().nodes())
        .singleElement()
        .satisfies(n -> assertThat(n.node().getName()).isEqualTo("new"));
  }

  @Test
  void listsTasksInSubmissionOrderFilteredAndPaged() {
    Changes changes = new Changes();
    for (int i = 1; i <= 5; i++) {
      TaskState state = i % 2 == 0 ? TaskState.TASK_STATE_RUNNING : TaskState.TASK_STATE_PENDING;
      changes.insert(new StoredTask(i, task("t-" + i, state, ""), 1));
    }
    store.commit(changes);

    assertThat(store.listTasks(Set.of(), 0, 3))
        .extracting(StoredTask::sequence)
        .containsExactly(1L, 2L, 3L);
    assertThat(store.listTasks(Set.of(), 3, 3))
        .extracting(StoredTask::sequence)
        .containsExactly(4L, 5L);
    assertThat(store.listTasks(Set.of(TaskState.TASK_STATE_RUNNING), 0, 10))
        .extracting(StoredTask::sequence)
        .containsExactly(2L, 4L);
  }

  @Test
  void listsOneTenantsTasksWithTasksWithoutATenantInTheDefaultOne() {
    store.commit(tenantTasks());

    assertThat(store.listTasks(Set.of(), "team-a", 0, 10))
        .extracting(StoredTask::sequence)
        .containsExactly(1L, 3L);
    assertThat(store.listTasks(Set.of(), "team-a", 1, 10))
        .extracting(StoredTask::sequence)
        .containsExactly(3L);
    assertThat(store.listTasks(Set.of(), Tenants.DEFAULT, 0, 10))
        .extracting(StoredTask::sequence)
        .containsExactly(2L);
    assertThat(store.listTasks(Set.of(TaskState.TASK_STATE_RUNNING), "team-a", 0, 10)).isEmpty();
    assertThat(store.listTasks(Set.of(), null, 0, 10)).hasSize(3);
  }

  @Test
  void upgradingFillsInTheTenantOfTasksStoredBeforeTenantsHadAColumn() throws Exception {
    store.commit(tenantTasks());
    store.close();
    try (Connection c = connect();
        Statement s = c.createStatement()) {
      // Back to the schema of version 2, the tasks still in it.
      s.execute("DROP TABLE api_tokens");
      s.execute("DROP TABLE audit_events");
      s.execute("DROP INDEX tasks_tenant_seq");
      s.execute("ALTER TABLE tasks DROP COLUMN tenant");
      s.execute("DELETE FROM \"flyway_schema_history\" WHERE \"version\" IN ('3', '4')");
    }

    store = openStore();

    assertThat(store.listTasks(Set.of(), "team-a", 0, 10))
        .extracting(StoredTask::sequence)
        .containsExactly(1L, 3L);
    assertThat(store.listTasks(Set.of(), Tenants.DEFAULT, 0, 10))
        .extracting(StoredTask::sequence)
        .containsExactly(2L);
  }

  @Test
  void tokensAreStoredRevokedOnceAndLoadedInCreationOrder() {
    TokenStore tokens = store.tokens();
    Timestamp created =
        Timestamp.newBuilder().setSeconds(1_700_000_000).setNanos(123_456_000).build();
    StoredToken user =
        new StoredToken(
            Token.newBuilder()
                .setId("00000000000000bb")
                .setTenant("team-a")
                .setRole(Role.ROLE_USER)
                .setDescription("ci")
                .setCreateTime(created)
                .setExpireTime(created.toBuilder().setSeconds(1_800_000_000))
                .setCreatedBy("bootstrap")
                .build(),
            "ab".repeat(32));
    StoredToken admin =
        new StoredToken(
            Token.newBuilder()
                .setId("00000000000000aa")
                .setRole(Role.ROLE_ADMIN)
                .setCreateTime(created)
                .setCreatedBy("bootstrap")
                .build(),
            "cd".repeat(32));
    tokens.insertToken(user);
    tokens.insertToken(admin);

    Instant first = Instant.ofEpochSecond(1_750_000_000);
    assertThat(tokens.revokeToken("00000000000000bb", first))
        .hasValueSatisfying(
            t -> assertThat(t.token().getRevokeTime().getSeconds()).isEqualTo(1_750_000_000));
    assertThat(tokens.revokeToken("00000000000000bb", first.plusSeconds(60)))
        .hasValueSatisfying(
            t -> assertThat(t.token().getRevokeTime().getSeconds()).isEqualTo(1_750_000_000));
    assertThat(tokens.revokeToken("0000000000000000", first)).isEmpty();
    store.close();
    store = openStore();

    assertThat(store.tokens().loadTokens())
        .containsExactly(
            new StoredToken(
                user.token().toBuilder()
                    .setRevokeTime(Timestamp.newBuilder().setSeconds(1_750_000_000))
                    .build(),
                user.secretHash()),
            admin);
  }

  @Test
  void auditEventsAreNumberedFromOneAndPaged() {
    AuditEvent event =
        AuditEvent.newBuilder()
            .setTime(Timestamp.newBuilder().setSeconds(1_700_000_000))
            .setTokenId("00000000000000aa")
            .setTenant("team-a")
            .setRole(Role.ROLE_USER)
            .setMethod("gpupool.v1.SchedulerService/SubmitTask")
            .setTarget("t-1")
            .setOutcome("OK")
            .setPeer("127.0.0.1:5000")
            .build();
    store.audit().appendAudit(List.of(event, event.toBuilder().setTarget("t-2").build()));
    store.audit().appendAudit(List.of(event.toBuilder().setTarget("x".repeat(300)).build()));

    assertThat(store.audit().listAudit(0, 10))
        .extracting(AuditEvent::getSequence, AuditEvent::getTarget)
        .containsExactly(tuple(1L, "t-1"), tuple(2L, "t-2"), tuple(3L, "x".repeat(256)));
    assertThat(store.audit().listAudit(1, 1))
        .singleElement()
        .isEqualTo(event.toBuilder().setSequence(2).setTarget("t-2").build());
  }

  private static Changes tenantTasks() {
    Changes changes = new Changes();
    changes.insert(new StoredTask(1, tenantTask("t-1", "team-a"), 1));
    changes.insert(new StoredTask(2, tenantTask("t-2", ""), 1));
    changes.insert(new StoredTask(3, tenantTask("t-3", "team-a"), 1));
    return changes;
  }

  private static Task tenantTask(String id, String tenant) {
    return Task.newBuilder()
        .setId(id)
        .setState(TaskState.TASK_STATE_PENDING)
        .setSpec(TestSpecs.gpuTask().setTenant(tenant))
        .build();
  }

  @Test
  void aFailedCommitChangesNothing() {
    Changes first = new Changes();
    first.insert(new StoredTask(1, task("t-1", TaskState.TASK_STATE_PENDING, "same"), 1));
    store.commit(first);

    Changes clash = new Changes();
    clash.insert(new StoredTask(2, task("t-2", TaskState.TASK_STATE_PENDING, ""), 1));
    clash.insert(new StoredTask(3, task("t-3", TaskState.TASK_STATE_PENDING, "same"), 1));
    assertThatThrownBy(() -> store.commit(clash)).isInstanceOf(StoreException.class);

    assertThat(store.findTask("t-2")).isEmpty();
    assertThat(store.load().maxTaskSequence()).isEqualTo(1);
  }

  @Test
  void kernelAndDiagnosticResultsAndGpuQuarantinesSurviveReopening() {
    TaskResult result =
        TaskResult.newBuilder()
            .setExitCode(1)
            .setMessage("loading the PTX module failed")
            .setReasonCode("CUDA_ERROR_INVALID_PTX")
            .setKernel(
                KernelResult.newBuilder()
                    .setElapsedMs(1.25)
                    .setDeviceUuid("GPU-1")
                    .addOutputs(
                        KernelOutput.newBuilder()
                            .setArgumentIndex(2)
                            .setData(ByteString.copyFrom(new byte[] {0, 1, (byte) 0xff}))
                            .setTruncated(true)))
            .setDiagnostic(
                DiagnosticReport.newBuilder()
                    .addDevices(
                        DeviceDiagnostic.newBuilder()
                            .setDeviceIndex(3)
                            .setDeviceUuid("GPU-3")
                            .setMemoryBandwidthGbps(2900.5)
                            .setPassed(true)))
            .build();
    Task ended = task("t-1", TaskState.TASK_STATE_FAILED, "").toBuilder().setResult(result).build();
    TaskEvent event =
        TaskEvent.newBuilder().setTaskId("t-1").setSequence(1).setResult(result).build();
    Node node =
        Node.newBuilder()
            .setId("n-1")
            .setName("gpu1")
            .setDriverVersion("550.54.15")
            .setCudaDriverVersion("12.4")
            .addGpus(
                Gpu.newBuilder()
                    .setInfo(DeviceInfo.newBuilder().setIndex(0).setUuid("GPU-0"))
                    .setQuarantine(
                        GpuQuarantine.newBuilder()
                            .setReason("XID 79 (GPU has fallen off the bus)")
                            .setSince(Timestamp.newBuilder().setSeconds(1_790_000_000))))
            .build();
    Changes changes = new Changes();
    changes.insert(new StoredTask(1, ended, 1));
    changes.append(event);
    changes.upsert(new NodeRecord(node, "hash", "i-1", 0));
    store.commit(changes);
    store.close();

    store = openStore();
    assertThat(store.findTask("t-1")).contains(ended);
    assertThat(store.listTasks(Set.of(), 0, 10))
        .extracting(StoredTask::task)
        .containsExactly(ended);
    assertThat(store.listEvents("t-1", 0, 10)).containsExactly(event);
    assertThat(store.load().nodes()).extracting(NodeRecord::node).containsExactly(node);
  }

  @Test
  void aCommitFencedWithAnEpochThatIsNoLongerRecordedIsRefusedAndChangesNothing()
      throws SQLException {
    store.requireLeaderEpoch(0); // the epoch the migration records: nobody has led yet
    Changes first = new Changes();
    first.insert(new StoredTask(1, task("t-1", TaskState.TASK_STATE_PENDING, ""), 1));
    store.commit(first);

    try (Connection c = connect();
        Statement s = c.createStatement()) {
      c.setAutoCommit(true);
      s.executeUpdate("UPDATE controller_leader SET epoch = 1, holder = 'other@host' WHERE id = 1");
    }
    Changes second = new Changes();
    second.insert(new StoredTask(2, task("t-2", TaskState.TASK_STATE_PENDING, ""), 1));
    second.update(new StoredTask(1, task("t-1", TaskState.TASK_STATE_CANCELLED, ""), 2));

    assertThatThrownBy(() -> store.commit(second))
        .isInstanceOf(LeadershipLostException.class)
        .hasMessage(
            "controller other@host leads the store as epoch 1; this controller led epoch 0 and"
                + " may no longer write");
    assertThat(store.findTask("t-2")).isEmpty();
    assertThat(store.findTask("t-1").orElseThrow().getState())
        .isEqualTo(TaskState.TASK_STATE_PENDING);
  }

  private static Task task(String id, TaskState state, String requestId) {
    return Task.newBuilder()
        .setId(id)
        .setState(state)
        .setRequestId(requestId)
        .setSpec(TestSpecs.gpuTask(1))
        .build();
  }

  private static TaskEvent log(String taskId, long seq, String text) {
    return TaskEvent.newBuilder()
        .setTaskId(taskId)
        .setSequence(seq)
        .setLog(LogLine.newBuilder().setText(text))
        .build();
  }
}
