package io.gpupool.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.gpupool.controller.store.LeadershipLostException;
import io.gpupool.controller.testing.ControllerProbe;
import io.gpupool.controller.testing.PostgresSchemas;
import io.gpupool.controller.testing.TestSpecs;
import io.gpupool.proto.v1.GetTaskRequest;
import io.gpupool.proto.v1.SubmitTaskRequest;
import io.gpupool.proto.v1.Task;
import io.gpupool.proto.v1.TaskState;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two controllers on one PostgreSQL schema in one JVM: one leads, the other waits and takes over.
 */
@Timeout(90)
class ControllerHighAvailabilityTest {
  @TempDir Path dir;
  private final Deque<AutoCloseable> opened = new ArrayDeque<>();
  private final ExecutorService standbys = Executors.newCachedThreadPool();
  private final ControllerProbe probe = new ControllerProbe();
  private String url;
  private String adminToken;

  @BeforeEach
  void schema() {
    url = PostgresSchemas.newSchemaUrl();
  }

  @AfterEach
  void stop() throws Exception {
    standbys.shutdownNow(); // interrupts a standby still waiting in start
    assertThat(standbys.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    while (!opened.isEmpty()) {
      opened.pop().close();
    }
    probe.close();
  }

  @Test
  void aSecondControllerWaitsAsAStandbyWithoutListeningAndLeadsWithTheTasksOnceTheFirstCloses()
      throws Exception {
    Controller first = start(config("first", 0, -1));
    adminToken = ControllerProbe.adminToken(dir.resolve("first"));
    Task submitted = submit(first.grpcPort(), "r-1");
    int port = ControllerProbe.freePort();
    int httpPort = ControllerProbe.freePort();

    Future<Controller> second =
        startInBackground(config("second", port, httpPort).advertiseAddress("ctl-2:7070"));

    await()
        .atMost(Duration.ofSeconds(10))
        .ignoreExceptions()
        .until(() -> probe.healthz(httpPort).equals("503 standby"));
    assertThat(second).isNotDone();
    assertThat(ControllerProbe.listening(port)).as("a standby does not bind gRPC").isFalse();

    first.close();

    await().atMost(Duration.ofSeconds(10)).until(second::isDone);
    Controller leader = second.get();
    assertThat(leader.grpcPort()).isEqualTo(port);
    assertThat(leader.leaderEpoch()).hasValue(2);
    assertThat(probe.healthz(httpPort)).isEqualTo("200 ok");
    assertThat(leaderRow()).isEqualTo("2 ctl-2:7070");
    assertThat(dir.resolve("second/admin.token"))
        .as("the store has an admin token already: the new leader writes none")
        .doesNotExist();
    Task kept = probe.scheduler(port, adminToken).getTask(getTask(submitted.getId())).getTask();
    assertThat(kept.getState()).isEqualTo(TaskState.TASK_STATE_PENDING);
    assertThat(kept.getSpec()).isEqualTo(submitted.getSpec());
    assertThat(submit(port, "r-1").getId()).as("idempotent across leaders").isEqualTo("t-1");
  }

  @Test
  void whenTheLeadersLockSessionDiesItStopsServingAndTheStandbyTakesOver() throws Exception {
    Controller first = start(config("first", 0, 0));
    adminToken = ControllerProbe.adminToken(dir.resolve("first"));
    int firstPort = first.grpcPort();
    submit(firstPort, "r-1");
    int port = ControllerProbe.freePort();
    int httpPort = ControllerProbe.freePort();
    Future<Controller> second = startInBackground(config("second", port, httpPort));
    await()
        .atMost(Duration.ofSeconds(10))
        .ignoreExceptions()
        .until(() -> probe.healthz(httpPort).equals("503 standby"));

    assertThat(PostgresSchemas.terminateLeaderLockSession(url)).isTrue();

    LeadershipLostException why = first.lostLeadership().get(10, TimeUnit.SECONDS);
    assertThat(why).hasMessageStartingWith("the connection holding the leader lock failed");
    assertThat(probe.healthz(first.httpPort())).isEqualTo("503 unavailable");
    await().atMost(Duration.ofSeconds(10)).until(() -> !ControllerProbe.listening(firstPort));
    await().atMost(Duration.ofSeconds(10)).until(second::isDone);
    Controller leader = second.get();
    assertThat(leader.leaderEpoch()).hasValue(2);
    assertThat(probe.scheduler(port, adminToken).getTask(getTask("t-1")).getTask().getState())
        .isEqualTo(TaskState.TASK_STATE_PENDING);
  }

  @Test
  void aLeaderThatFindsANewerEpochInTheStoreStopsServingAndWritesNothing() throws Exception {
    Controller leader = start(config("only", 0, -1));
    adminToken = ControllerProbe.adminToken(dir.resolve("only"));
    submit(leader.grpcPort(), "r-1");

    execute("UPDATE controller_leader SET epoch = epoch + 1, holder = 'other@host' WHERE id = 1");

    assertThatThrownBy(() -> submit(leader.grpcPort(), "r-2"))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    LeadershipLostException why = leader.lostLeadership().get(10, TimeUnit.SECONDS);
    assertThat(why).hasMessageContaining("other@host").hasMessageContaining("epoch 2");
    assertThat(taskCount()).isEqualTo(1);
  }

  private ControllerConfig.Builder config(String name, int grpcPort, int httpPort) {
    return ControllerConfig.builder()
        .host("127.0.0.1")
        .grpcPort(grpcPort)
        .httpPort(httpPort)
        .dataDir(dir.resolve(name))
        .joinToken("token")
        .store(url, null, null)
        .standbyPollInterval(Duration.ofMillis(100))
        .insecure(true);
  }

  private Controller start(ControllerConfig.Builder config) throws Exception {
    Controller controller = Controller.start(config.build());
    opened.push(controller);
    return controller;
  }

  private Future<Controller> startInBackground(ControllerConfig.Builder config) {
    return standbys.submit(() -> start(config));
  }

  private Task submit(int port, String requestId) {
    return probe
        .scheduler(port, adminToken)
        .submitTask(
            SubmitTaskRequest.newBuilder()
                .setSpec(TestSpecs.gpuTask(1))
                .setRequestId(requestId)
                .build())
        .getTask();
  }

  private static GetTaskRequest getTask(String id) {
    return GetTaskRequest.newBuilder().setId(id).build();
  }

  private String leaderRow() throws SQLException {
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT epoch, address FROM controller_leader WHERE id = 1")) {
      rs.next();
      return rs.getLong(1) + " " + rs.getString(2);
    }
  }

  private int taskCount() throws SQLException {
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM tasks")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  private void execute(String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement()) {
      s.executeUpdate(sql);
    }
  }
}
