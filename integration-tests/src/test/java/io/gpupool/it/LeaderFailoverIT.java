package io.gpupool.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpupool.client.GpuPoolClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two controllers on one PostgreSQL schema, each its own OS process: the one started first leads,
 * the other waits as a standby without listening. When the leader is killed with SIGKILL, the
 * standby leads and serves gRPC within 15 s; the agent and the client, both given both addresses,
 * follow it; and every task, submitted before the kill (running or pending then) or after it, ends
 * SUCCEEDED and ran exactly once. The killed controller, restarted, comes back as a standby.
 *
 * <p>Each controller's JDBC URL carries its own {@code ApplicationName}, so that the test can see
 * in {@code pg_stat_activity} when a controller has reached the database: that is how it knows a
 * standby is up although it does not listen. Needs GPUPOOL_TEST_POSTGRES_URL.
 */
@Timeout(180)
class LeaderFailoverIT {
  private static final Logger log = LoggerFactory.getLogger(LeaderFailoverIT.class);

  /** The longest a standby may take to serve gRPC after the leader died. */
  private static final Duration TAKEOVER_LIMIT = Duration.ofSeconds(15);

  /** Tasks submitted before the kill: the agent's 8 GPUs run 8 at a time, the rest wait. */
  private static final int TASKS_BEFORE = 24;

  /** The kill comes once this many have ended: about 8 are running then, about 12 pending. */
  private static final int KILL_AT = 4;

  private static final int TASKS_AFTER = 8;

  private static final Duration START = Duration.ofSeconds(30);
  private static final Duration PROGRESS = Duration.ofSeconds(60);

  @TempDir Path dir;

  @Test
  void theStandbyLeadsWithin15sOfALeaderKillAndEveryTaskSucceedsExactlyOnce() throws Exception {
    String schemaUrl = TestPostgres.freshSchemaUrl();
    String run = UUID.randomUUID().toString().substring(0, 8);
    String firstApp = "gpupool-it-" + run + "-controller-1";
    String secondApp = "gpupool-it-" + run + "-controller-2";
    int firstPort = ProcessCluster.freePort();
    int secondPort = ProcessCluster.freePort();
    String both = "127.0.0.1:" + firstPort + ",127.0.0.1:" + secondPort;
    MarkerTasks before = new MarkerTasks(dir.resolve("before"), "before", Duration.ofMillis(500));
    MarkerTasks after = new MarkerTasks(dir.resolve("after"), "after", Duration.ofMillis(200));
    Set<String> submitted = new HashSet<>();

    try (ProcessCluster cluster = new ProcessCluster(dir.resolve("cluster"));
        GpuPoolClient client = cluster.patientClient(both)) {
      GpupoolProcess first =
          cluster
              .controller("controller-1", firstPort, withApplicationName(schemaUrl, firstApp))
              .start();
      cluster.awaitListening(firstPort, START);
      GpupoolProcess second =
          cluster
              .controller("controller-2", secondPort, withApplicationName(schemaUrl, secondApp))
              .start();
      cluster.await(
          "controller-2 reached PostgreSQL",
          START,
          () -> TestPostgres.connectionsOf(secondApp) > 0);
      cluster.assertHoldsFor(
          "controller-2 stays a standby (its port does not accept connections) while controller-1"
              + " leads",
          Duration.ofSeconds(2),
          () -> !ProcessCluster.accepts(secondPort) && ProcessCluster.servesGrpc(firstPort));

      cluster.agent("agent", both, "8xH100-80GB").start();
      cluster.awaitReady(client, START, "agent");
      for (int i = 0; i < TASKS_BEFORE; i++) {
        submitted.add(client.submit(before.spec(i)).id());
      }
      cluster.await(KILL_AT + " tasks ended", PROGRESS, () -> before.ended() >= KILL_AT);
      log.info("killing the leader; tasks: {}", TaskOutcomes.summary(client));

      long kill = System.nanoTime();
      first.killHard();
      cluster.await(
          "controller-2 serves gRPC",
          TAKEOVER_LIMIT,
          () -> ProcessCluster.accepts(secondPort) && ProcessCluster.servesGrpc(secondPort));
      Duration takeover = Duration.ofNanos(System.nanoTime() - kill);
      log.info("controller-2 took over {} ms after the leader was killed", takeover.toMillis());
      assertThat(takeover).as("takeover time").isLessThanOrEqualTo(TAKEOVER_LIMIT);
      assertThat(second.isAlive()).isTrue();

      try (GpuPoolClient leader = cluster.patientClient("127.0.0.1:" + secondPort)) {
        cluster.awaitReady(leader, START, "agent");
      }
      log.info(
          "the agent is READY on controller-2 {} ms after the kill",
          Duration.ofNanos(System.nanoTime() - kill).toMillis());
      for (int i = 0; i < TASKS_AFTER; i++) {
        submitted.add(client.submit(after.spec(i)).id());
      }

      int total = TASKS_BEFORE + TASKS_AFTER;
      TaskOutcomes.awaitAllEnded(cluster, client, total, PROGRESS);
      List<String> problems = new ArrayList<>(before.problems(TASKS_BEFORE));
      problems.addAll(after.problems(TASKS_AFTER));
      TaskOutcomes.assertEachSucceededExactlyOnce(cluster, client, submitted, problems);

      cluster.await(
          "the killed leader's database sessions are gone",
          START,
          () -> TestPostgres.connectionsOf(firstApp) == 0);
      first.start();
      cluster.await(
          "the restarted controller-1 reached PostgreSQL",
          START,
          () -> TestPostgres.connectionsOf(firstApp) > 0);
      cluster.assertHoldsFor(
          "the restarted controller-1 is a standby (its port does not accept connections) while"
              + " controller-2 leads",
          Duration.ofSeconds(3),
          () -> !ProcessCluster.accepts(firstPort) && ProcessCluster.servesGrpc(secondPort));
    }
  }

  private static String withApplicationName(String url, String applicationName) {
    return TestPostgres.withParameter(url, "ApplicationName", applicationName);
  }
}
