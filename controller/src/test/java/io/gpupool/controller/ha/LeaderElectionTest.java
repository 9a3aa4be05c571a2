package io.gpupool.controller.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.gpupool.controller.store.Changes;
import io.gpupool.controller.store.JdbcStore;
import io.gpupool.controller.store.LeadershipLostException;
import io.gpupool.controller.store.StoredTask;
import io.gpupool.controller.testing.PostgresSchemas;
import io.gpupool.proto.v1.Task;
import io.gpupool.proto.v1.TaskState;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Leader election and commit fencing on PostgreSQL, a fresh schema per test. */
@Timeout(60)
class LeaderElectionTest {
  private final Deque<AutoCloseable> opened = new ArrayDeque<>();
  private String url;

  @BeforeEach
  void migratedSchema() {
    url = PostgresSchemas.newSchemaUrl();
    JdbcStore.open(url, null, null).close();
  }

  @AfterEach
  void closeAll() throws Exception {
    while (!opened.isEmpty()) {
      opened.pop().close();
    }
  }

  @Test
  void ofTwoControllersOnOneSchemaOnlyOneLeadsAndTheOtherSeesWho() throws SQLException {
    Leadership a = lead(election(url), "1@host-a", "host-a:7070").orElseThrow();
    LeaderElection b = election(url);

    assertThat(lead(b, "2@host-b", "host-b:7070")).isEmpty();
    assertThat(a.epoch()).isEqualTo(1);
    assertThat(a.previous().isSet()).isFalse();
    LeaderRecord leader = b.currentLeader();
    assertThat(leader.holder()).isEqualTo("1@host-a");
    assertThat(leader.address()).isEqualTo("host-a:7070");
    assertThat(leader.epoch()).isEqualTo(1);
    assertThat(leader.since()).isNotNull();
    a.verify();
  }

  @Test
  void whenTheLeadersLockSessionDiesTheStandbyLeadsWithTheNextEpoch() throws SQLException {
    Leadership a = lead(election(url), "1@host-a", "host-a:7070").orElseThrow();
    LeaderElection b = election(url);
    CompletableFuture<Leadership> standby = awaitLeadership(b, "2@host-b", "host-b:7071");

    assertThat(PostgresSchemas.terminateLeaderLockSession(url)).isTrue();

    await().atMost(Duration.ofSeconds(5)).until(standby::isDone);
    Leadership won = track(standby.join());
    assertThat(won.epoch()).isEqualTo(2);
    assertThat(won.previous().holder()).isEqualTo("1@host-a");
    assertThatThrownBy(a::verify)
        .isInstanceOf(LeadershipLostException.class)
        .hasMessageStartingWith("the connection holding the leader lock failed");
    won.verify();
  }

  @Test
  void closingTheLeaderHandsTheLeadToTheStandby() throws SQLException {
    Leadership a = lead(election(url), "1@host-a", "host-a:7070").orElseThrow();
    LeaderElection b = election(url);
    assertThat(lead(b, "2@host-b", "host-b:7071")).isEmpty();

    a.close();

    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> lead(b, "2@host-b", "host-b:7071").map(won -> won.epoch() == 2).orElse(false));
    assertThatThrownBy(a::verify).isInstanceOf(LeadershipLostException.class);
  }

  @Test
  void clustersInDifferentSchemasOfOneDatabaseDoNotContend() throws SQLException {
    String other = PostgresSchemas.newSchemaUrl();
    JdbcStore.open(other, null, null).close();

    Optional<Leadership> here = lead(election(url), "1@host-a", "host-a:7070");
    Optional<Leadership> there = lead(election(other), "2@host-b", "host-b:7070");

    assertThat(here).isPresent();
    assertThat(there).isPresent();
  }

  @Test
  void afterATakeoverTheOldLeadersCommitIsRefusedAndChangesNothing() throws SQLException {
    JdbcStore oldStore = track(JdbcStore.open(url, null, null));
    Leadership old = lead(election(url), "1@host-a", "host-a:7070").orElseThrow();
    oldStore.requireLeaderEpoch(old.epoch());
    oldStore.commit(insert(1, "t-1"));
    LeaderElection standby = election(url);
    assertThat(PostgresSchemas.terminateLeaderLockSession(url)).isTrue();
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> lead(standby, "2@host-b", "host-b:7071").isPresent());

    assertThatThrownBy(() -> oldStore.commit(insert(2, "t-2")))
        .isInstanceOf(LeadershipLostException.class)
        .hasMessage(
            "controller 2@host-b leads the store as epoch 2; this controller led epoch 1 and may"
                + " no longer write");
    JdbcStore newStore = track(JdbcStore.open(url, null, null));
    assertThat(newStore.findTask("t-2")).isEmpty();
    assertThat(newStore.load().activeTasks())
        .extracting(t -> t.task().getId())
        .containsExactly("t-1");
    newStore.requireLeaderEpoch(2);
    newStore.commit(insert(2, "t-2"));
    assertThat(newStore.findTask("t-2")).isPresent();
  }

  private static Changes insert(long sequence, String id) {
    Changes changes = new Changes();
    changes.insert(
        new StoredTask(
            sequence,
            Task.newBuilder().setId(id).setState(TaskState.TASK_STATE_PENDING).build(),
            1));
    return changes;
  }

  private LeaderElection election(String schemaUrl) {
    return track(new LeaderElection(schemaUrl, null, null, Duration.ofMillis(100)));
  }

  private Optional<Leadership> lead(LeaderElection election, String holder, String address)
      throws SQLException {
    return election.tryLead(holder, address).map(this::track);
  }

  private CompletableFuture<Leadership> awaitLeadership(
      LeaderElection election, String holder, String address) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return election.awaitLeadership(holder, address);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompletionException(e);
          }
        });
  }

  private <T extends AutoCloseable> T track(T resource) {
    opened.push(resource);
    return resource;
  }
}
