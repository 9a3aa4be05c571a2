package io.gpupool.controller.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gpupool.controller.store.JdbcStore;
import io.gpupool.controller.store.LeadershipLostException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The watchdog over a leadership whose lock connection is a plain H2 connection: what it checks
 * (the connection and the recorded epoch) does not depend on how the lock was taken.
 */
@Timeout(60)
class LeadershipWatchdogTest {
  @TempDir Path dir;
  private final List<LeadershipLostException> losses = new CopyOnWriteArrayList<>();
  private Leadership leadership;
  private LeadershipWatchdog watchdog;

  @BeforeEach
  void leadEpochOne() throws SQLException {
    JdbcStore.openH2(dir).close();
    execute("UPDATE controller_leader SET epoch = 1, holder = 'me@host' WHERE id = 1");
    leadership = new Leadership(connect(), new LeaderRecord(1, "me@host", "host:7070", null), null);
    watchdog = LeadershipWatchdog.start(leadership, Duration.ofMillis(50), losses::add);
  }

  @AfterEach
  void stop() {
    watchdog.close();
    leadership.close();
  }

  @Test
  void aNewerEpochInTheStoreIsReportedOnce() throws SQLException {
    execute("UPDATE controller_leader SET epoch = 2, holder = 'other@host' WHERE id = 1");

    await().atMost(Duration.ofSeconds(5)).until(() -> !losses.isEmpty());
    assertThat(losses.get(0))
        .hasMessage("controller other@host recorded leader epoch 2 over this controller's epoch 1");
    watchdog.report(new LeadershipLostException("reported later"));
    assertThat(losses).as("the watchdog stops at the first loss").hasSize(1);
  }

  @Test
  void aFailedLockConnectionIsReported() {
    leadership.close();

    await().atMost(Duration.ofSeconds(5)).until(() -> !losses.isEmpty());
    assertThat(losses)
        .singleElement()
        .satisfies(e -> assertThat(e).hasMessageContaining("gave up"));
  }

  @Test
  void aLossFoundElsewhereReachesTheHandlerOnceOnTheWatchdogsThread() {
    List<String> threads = new CopyOnWriteArrayList<>();
    watchdog.close();
    watchdog =
        LeadershipWatchdog.start(
            leadership,
            Duration.ofHours(1),
            e -> {
              threads.add(Thread.currentThread().getName());
              losses.add(e);
            });

    watchdog.report(new LeadershipLostException("fenced"));
    watchdog.report(new LeadershipLostException("fenced again"));

    await().atMost(Duration.ofSeconds(5)).until(() -> !losses.isEmpty());
    watchdog.report(new LeadershipLostException("after the first"));
    assertThat(losses).singleElement().satisfies(e -> assertThat(e).hasMessage("fenced"));
    assertThat(threads).containsExactly("gpupool-leadership-watchdog");
  }

  private Connection connect() throws SQLException {
    return DriverManager.getConnection(
        "jdbc:h2:file:" + dir.toAbsolutePath().resolve("gpupool") + ";WRITE_DELAY=0");
  }

  private void execute(String sql) throws SQLException {
    try (Connection c = connect();
        Statement s = c.createStatement()) {
      s.executeUpdate(sql);
    }
  }
}
