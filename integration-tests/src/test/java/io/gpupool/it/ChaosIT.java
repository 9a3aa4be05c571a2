package io.gpupool.it;

import io.gpupool.client.GpuPoolClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Nothing is lost and nothing runs twice when processes die: a controller and two agents run as
 * separate OS processes; while 300 short tasks are submitted and run, the controller is killed with
 * SIGKILL and restarted twice, and an agent once (same state dir and name). Every task still ends
 * SUCCEEDED, and each ran exactly once (its file holds one line). Each kill is triggered by
 * progress (tasks that have ended), never by time. On embedded H2 and on PostgreSQL.
 *
 * <p>The node-lost deadline stays at its default (30 s), far above any restart here, so no task is
 * requeued because a restart was slow.
 */
@Timeout(180)
class ChaosIT {
  private static final Logger log = LoggerFactory.getLogger(ChaosIT.class);

  private static final int TASKS = 300;

  /**
   * How far submitting runs ahead of the tasks that ended: more than the 16 GPUs, so that every
   * kill finds tasks running and tasks pending, and submits are in flight across the kills.
   */
  private static final int AHEAD = 48;

  /**
   * How many tasks have ended when each kill comes; the agent kill and the second controller kill
   * may come later, see {@link #nextKillMark}.
   */
  private static final int FIRST_CONTROLLER_KILL_AT = 60;

  private static final int AGENT_KILL_AT = 130;
  private static final int SECOND_CONTROLLER_KILL_AT = 200;

  /** Tasks that end between one recovery and the next kill, however slow the recovery was. */
  private static final int MIN_ENDED_BETWEEN_KILLS = 30;

  /** The longest a (re)start may take, agents reconnecting included. */
  private static final Duration RESTART = Duration.ofSeconds(30);

  /** The longest the cluster may go without reaching the next progress mark. */
  private static final Duration PROGRESS = Duration.ofSeconds(60);

  private static final String GPUS_PER_AGENT = "8xH100-80GB";

  @TempDir Path dir;

  @Test
  void everyTaskSucceedsExactlyOnceThroughControllerAndAgentKillsOnH2() throws Exception {
    runChaos(null);
  }

  @Test
  void everyTaskSucceedsExactlyOnceThroughControllerAndAgentKillsOnPostgresql() throws Exception {
    runChaos(TestPostgres.freshSchemaUrl());
  }

  private void runChaos(String store) throws Exception {
    long begin = System.nanoTime();
    int port = ProcessCluster.freePort();
    String target = "127.0.0.1:" + port;
    MarkerTasks tasks = new MarkerTasks(dir.resolve("out"), "chaos", Duration.ofMillis(200));
    AtomicReferenceArray<String> ids = new AtomicReferenceArray<>(TASKS);
    ExecutorService submitter = Executors.newSingleThreadExecutor();
    try (ProcessCluster cluster = new ProcessCluster(dir.resolve("cluster"));
        GpuPoolClient client = cluster.patientClient(target)) {
      GpupoolProcess controller = cluster.controller("controller", port, store).start();
      cluster.awaitListening(port, RESTART);
      GpupoolProcess agentA = cluster.agent("agent-a", target, GPUS_PER_AGENT).start();
      cluster.agent("agent-b", target, GPUS_PER_AGENT).start();
      cluster.awaitReady(client, RESTART, "agent-a", "agent-b");
      log.info("cluster up after {} ms", millisSince(begin));

      CompletableFuture<Void> submitting =
          CompletableFuture.runAsync(() -> submitAll(client, tasks, ids), submitter);

      awaitEnded(cluster, tasks, submitting, FIRST_CONTROLLER_KILL_AT);
      restartController(cluster, controller, port, client, "first");

      awaitEnded(cluster, tasks, submitting, nextKillMark(tasks, AGENT_KILL_AT));
      log.info("killing agent-a; tasks: {}", TaskOutcomes.summary(client));
      long agentKill = System.nanoTime();
      agentA.killHard();
      cluster.await(
          "the controller noticed that agent-a is gone",
          RESTART,
          () -> !ProcessCluster.readyNodes(client).contains("agent-a"));
      agentA.start();
      cluster.awaitReady(client, RESTART, "agent-a");
      log.info("agent-a killed and READY again after {} ms", millisSince(agentKill));

      awaitEnded(cluster, tasks, submitting, nextKillMark(tasks, SECOND_CONTROLLER_KILL_AT));
      restartController(cluster, controller, port, client, "second");

      cluster.await("all tasks submitted", PROGRESS, submitting::isDone);
      submitting.join();
      TaskOutcomes.awaitAllEnded(cluster, client, TASKS, PROGRESS);
      log.info(
          "all {} tasks ended after {} ms: {}",
          TASKS,
          millisSince(begin),
          TaskOutcomes.summary(client));

      Set<String> submitted = new HashSet<>();
      for (int i = 0; i < TASKS; i++) {
        submitted.add(ids.get(i));
      }
      TaskOutcomes.assertEachSucceededExactlyOnce(
          cluster, client, submitted, tasks.problems(TASKS));
    } finally {
      submitter.shutdownNow();
    }
  }

  /**
   * Submits the tasks in order, each once fewer than {@link #AHEAD} submitted tasks are still
   * unfinished. The client retries through controller outages with the same request ids.
   */
  private static void submitAll(
      GpuPoolClient client, MarkerTasks tasks, AtomicReferenceArray<String> ids) {
    for (int i = 0; i < TASKS; i++) {
      int submitted = i;
      Awaitility.await("room to submit chaos-" + i)
          .atMost(PROGRESS)
          .pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(50))
          .until(() -> submitted - tasks.ended() < AHEAD);
      ids.set(i, client.submit(tasks.spec(i)).id());
    }
  }

  /**
   * When the next kill comes: at the planned mark, but not before {@link #MIN_ENDED_BETWEEN_KILLS}
   * more tasks have ended (a slow recovery must not bunch the kills up), and while enough tasks are
   * still to come that the kill finds work running and pending.
   */
  private static int nextKillMark(MarkerTasks tasks, int planned) {
    return Math.min(Math.max(planned, tasks.ended() + MIN_ENDED_BETWEEN_KILLS), TASKS - AHEAD);
  }

  /** Waits until {@code count} tasks have ended; fails at once if submitting failed. */
  private static void awaitEnded(
      ProcessCluster cluster, MarkerTasks tasks, CompletableFuture<Void> submitting, int count) {
    cluster.await(
        count + " tasks ended",
        PROGRESS,
        () -> {
          if (submitting.isCompletedExceptionally()) {
            submitting.join();
          }
          return tasks.ended() >= count;
        });
  }

  private static void restartController(
      ProcessCluster cluster,
      GpupoolProcess controller,
      int port,
      GpuPoolClient client,
      String which)
      throws Exception {
    log.info("{} controller kill; tasks: {}", which, TaskOutcomes.summary(client));
    long kill = System.nanoTime();
    controller.killHard();
    controller.start();
    cluster.awaitListening(port, RESTART);
    long listening = millisSince(kill);
    cluster.awaitReady(client, RESTART, "agent-a", "agent-b");
    log.info(
        "{} controller kill: serving again after {} ms, both agents READY after {} ms",
        which,
        listening,
        millisSince(kill));
  }

  private static long millisSince(long nanoTime) {
    return Duration.ofNanos(System.nanoTime() - nanoTime).toMillis();
  }
}
