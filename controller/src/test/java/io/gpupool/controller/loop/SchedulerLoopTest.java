package io.gpupool.controller.loop;

import static io.gpupool.proto.v1.TaskState.TASK_STATE_CANCELLED;
import static io.gpupool.proto.v1.TaskState.TASK_STATE_FAILED;
import static io.gpupool.proto.v1.TaskState.TASK_STATE_PENDING;
import static io.gpupool.proto.v1.TaskState.TASK_STATE_RUNNING;
import static io.gpupool.proto.v1.TaskState.TASK_STATE_SCHEDULED;
import static io.gpupool.proto.v1.TaskState.TASK_STATE_SUCCEEDED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpupool.controller.core.Policies;
import io.gpupool.controller.error.ControllerException;
import io.gpupool.controller.error.ErrorKind;
import io.gpupool.controller.state.Credentials;
import io.gpupool.controller.store.JdbcStore;
import io.gpupool.controller.testing.FailingStore;
import io.gpupool.controller.testing.MutableClock;
import io.gpupool.controller.testing.RecordingLink;
import io.gpupool.controller.testing.TestSpecs;
import io.gpupool.controller.watch.TaskEventBus;
import io.gpupool.proto.v1.AgentHello;
import io.gpupool.proto.v1.DeviceInfo;
import io.gpupool.proto.v1.Heartbeat;
import io.gpupool.proto.v1.LogLine;
import io.gpupool.proto.v1.NodeState;
import io.gpupool.proto.v1.Progress;
import io.gpupool.proto.v1.RegisterRequest;
import io.gpupool.proto.v1.Task;
import io.gpupool.proto.v1.TaskEnded;
import io.gpupool.proto.v1.TaskEvent;
import io.gpupool.proto.v1.TaskLogs;
import io.gpupool.proto.v1.TaskResult;
import io.gpupool.proto.v1.TaskSpec;
import io.gpupool.proto.v1.TaskStarted;
import io.gpupool.proto.v1.TaskUpdate;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Steps the loop by hand (runOnce) against a real H2 store, a fake agent link and a manual clock.
 */
@Timeout(60)
class SchedulerLoopTest {
  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T12:00:00Z"));
  private final NodeDirectory directory = new NodeDirectory();
  private FailingStore store;
  private SchedulerLoop loop;
  private long nextUpdateId = 1;

  @BeforeEach
  void start() {
    store = new FailingStore(JdbcStore.openH2(dir));
    loop = newLoop();
  }

  private SchedulerLoop newLoop() {
    return new SchedulerLoop(
        clock,
        store,
        Policies.create("first-fit"),
        new TaskEventBus(),
        directory,
        LoopSettings.DEFAULTS);
  }

  @AfterEach
  void stop() {
    loop.close();
    store.close();
  }

  @Test
  void aSubmitIsAnsweredOnlyOnceTheTaskIsStored() {
    CompletableFuture<List<Task>> reply = new CompletableFuture<>();
    loop.offer(new LoopEvent.Submit(TestSpecs.gpuTask(1), "", reply));
    assertThat(reply).isNotDone();

    loop.runOnce();

    Task task = reply.join().get(0);
    assertThat(task.getId()).isEqualTo("t-1");
    assertThat(task.getState()).isEqualTo(TASK_STATE_PENDING);
    assertThat(task.getReason()).isEqualTo("waiting for 1 GPU: no nodes have registered");
    assertThat(store.findTask("t-1")).contains(task);
    assertThat(store.listEvents("t-1", 0, 10))
        .extracting(e -> e.getStateChange().getState())
        .containsExactly(TASK_STATE_PENDING);
  }

  @Test
  void theSameRequestIdReturnsTheSameTaskAndADifferentSpecIsRefused() {
    CompletableFuture<List<Task>> first = new CompletableFuture<>();
    CompletableFuture<List<Task>> sameBatch = new CompletableFuture<>();
    loop.offer(new LoopEvent.Submit(TestSpecs.gpuTask(1), "req-1", first));
    loop.offer(new LoopEvent.Submit(TestSpecs.gpuTask(1), "req-1", sameBatch));
    loop.runOnce();
    Task later = submit(TestSpecs.gpuTask(1), "req-1");

    assertThat(first.join().get(0).getId()).isEqualTo("t-1");
    assertThat(sameBatch.join().get(0).getId()).isEqualTo("t-1");
    assertThat(later.getId()).isEqualTo("t-1");
    assertThat(store.listTasks(java.util.Set.of(), 0, 10)).hasSize(1);
    assertThatThrownBy(() -> submit(TestSpecs.gpuTask(2), "req-1"))
        .hasCauseInstanceOf(ControllerException.class)
        .hasMessageContaining(
            "request_id: 'req-1' was already used by task t-1 with a different spec");
  }

  @Test
  void placesATaskOnAConnectedNodeAndStartsItAfterTheCommit() {
    RecordingLink link = connect("n-1", 2);

    Task task = submit(TestSpecs.gpuTask(2), "");

    assertThat(task.getState()).isEqualTo(TASK_STATE_SCHEDULED);
    assertThat(task.getPlacement().getNodeId()).isEqualTo("n-1");
    assertThat(task.getPlacement().getDeviceIndicesList()).containsExactly(0, 1);
    assertThat(task.getPlacement().getDeviceUuidsList()).containsExactly("GPU-n-1-0", "GPU-n-1-1");
    assertThat(link.startedTaskIds()).containsExactly("t-1");
    assertThat(store.findTask("t-1").orElseThrow().getState()).isEqualTo(TASK_STATE_SCHEDULED);
    assertThat(directory.list().get(0).getGpusList())
        .extracting(g -> g.getTaskId())
        .containsExactly("t-1", "t-1");
  }

  @Test
  void twoOneGpuTasksOnAOneGpuNodeRunOneAfterTheOther() {
    RecordingLink link = connect("n-1", 1);
    Task first = submit(TestSpecs.gpuTask(1), "");
    Task second = submit(TestSpecs.gpuTask(1), "");
    assertThat(first.getState()).isEqualTo(TASK_STATE_SCHEDULED);
    assertThat(second.getState()).isEqualTo(TASK_STATE_PENDING);
    assertThat(second.getReason()).isEqualTo("waiting for 1 GPU to become free");

    update("n-1", link, started("t-1"));
    assertThat(task("t-2").getState()).isEqualTo(TASK_STATE_PENDING);
    update("n-1", link, ended("t-1", 0, false));

    assertThat(task("t-1").getState()).isEqualTo(TASK_STATE_SUCCEEDED);
    assertThat(task("t-2").getState()).isEqualTo(TASK_STATE_SCHEDULED);
    assertThat(link.startedTaskIds()).containsExactly("t-1", "t-2");
  }

  @Test
  void agentUpdatesBecomeOrderedEventsAndAreAppliedOnceAndAcknowledged() {
    RecordingLink link = connect("n-1", 1);
    submit(TestSpecs.gpuTask(1), "");
    TaskUpdate start = started("t-1");
    update("n-1", link, start);
    update("n-1", link, start); // resent after a lost ack
    update("n-1", link, logs("t-1", "hello", "world"));
    update("n-1", link, progress("t-1", 50));
    update("n-1", link, ended("t-1", 3, false));

    Task task = task("t-1");
    assertThat(task.getState()).isEqualTo(TASK_STATE_FAILED);
    assertThat(task.getReason()).isEqualTo("exited with code 3");
    assertThat(task.getResult().getExitCode()).isEqualTo(3);
    assertThat(task.getTransitionsList())
        .extracting(t -> t.getState())
        .containsExactly(
            TASK_STATE_PENDING, TASK_STATE_SCHEDULED, TASK_STATE_RUNNING, TASK_STATE_FAILED);
    List<TaskEvent> events = store.listEvents("t-1", 0, 100);
    assertThat(events)
        .extracting(TaskEvent::getSequence)
        .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
    assertThat(events)
        .extracting(e -> e.getKindCase().name())
        .containsExactly(
            "STATE_CHANGE",
            "STATE_CHANGE",
            "STATE_CHANGE",
            "LOG",
            "LOG",
            "PROGRESS",
            "STATE_CHANGE");
    assertThat(events.get(6).getResult().getExitCode()).isEqualTo(3);
    assertThat(link.lastAck()).isEqualTo(nextUpdateId - 1);
  }

  @Test
  void cancellingAPendingTaskEndsItAtOnce() {
    submit(TestSpecs.gpuTask(1), "");

    Task cancelled = cancel("t-1");

    assertThat(cancelled.getState()).isEqualTo(TASK_STATE_CANCELLED);
    assertThat(store.findTask("t-1").orElseThrow().getState()).isEqualTo(TASK_STATE_CANCELLED);
  }

  @Test
  void cancellingARunningTaskAsksTheAgentAndEndsWhenItReportsBack() {
    RecordingLink link = connect("n-1", 1);
    submit(TestSpecs.gpuTask(1), "");
    update("n-1", link, started("t-1"));

    Task requested = cancel("t-1");
    assertThat(requested.getState()).isEqualTo(TASK_STATE_RUNNING);
    assertThat(requested.getCancelRequested()).isTrue();
    assertThat(link.cancelledTaskIds()).containsExactly("t-1");

    update("n-1", link, ended("t-1", 143, true));
    assertThat(task("t-1").getState()).isEqualTo(TASK_STATE_CANCELLED);
    assertThat(task("t-1").getReason()).isEqualTo("cancelled by user (exit code 143)");
  }

  @Test
  void cancellingAnEndedOrUnknownTaskSaysWhy() {
    submit(TestSpecs.gpuTask(1), "");
    cancel("t-1");

    assertThatThrownBy(() -> cancel("t-1"))
        .cause()
        .isInstanceOfSatisfying(
            ControllerException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(ErrorKind.FAILED_PRECONDITION);
              assertThat(e.getMessage()).isEqualTo("task t-1 already ended (CANCELLED)");
            });
    assertThatThrownBy(() -> cancel("t-99"))
        .cause()
        .isInstanceOfSatisfying(
            ControllerException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.NOT_FOUND));
  }

  @Test
  void aReconnectingAgentGetsItsScheduledTasksAgainAndRunningOnesItLostAreRequeued() {
    RecordingLink first = connect("n-1", 2);
    submit(TestSpecs.gpuTask(1), "");
    submit(TestSpecs.gpuTask(1), "");
    update("n-1", first, started("t-1"));

    RecordingLink second = hello("n-1", "instance-2", List.of());

    assertThat(first.closedWith).contains("replaced");
    Task requeued = task("t-1");
    assertThat(requeued.getLostCount()).isEqualTo(1);
    assertThat(requeued.getTransitionsList())
        .extracting(t -> t.getState(), t -> t.getReason())
        .contains(
            org.assertj.core.groups.Tuple.tuple(
                TASK_STATE_PENDING,
                "NODE_LOST: the agent on host-n-1 restarted without the task; requeued (1 of 3)"));
    assertThat(requeued.getState())
        .as("placed again on its freed GPU")
        .isEqualTo(TASK_STATE_SCHEDULED);
    assertThat(requeued.getAttempt()).isEqualTo(2);
    assertThat(second.startedTaskIds()).containsExactlyInAnyOrder("t-2", "t-1");
  }

  @Test
  void aTaskItsAgentLostTooOftenFails() {
    loop.close();
    loop =
        new SchedulerLoop(
            clock,
            store,
            Policies.create("first-fit"),
            new TaskEventBus(),
            directory,
            new LoopSettings(
                Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(30), 0));
    RecordingLink first = connect("n-1", 1);
    submit(TestSpecs.gpuTask(1), "");
    update("n-1", first, started("t-1"));

    RecordingLink second = hello("n-1", "instance-2", List.of());

    assertThat(task("t-1").getState()).isEqualTo(TASK_STATE_FAILED);
    assertThat(task("t-1").getReason())
        .isEqualTo(
            "NODE_LOST: the agent on host-n-1 restarted without the task; requeued 0 times"
                + " already, giving up");
    submit(TestSpecs.gpuTask(1), "");
    assertThat(second.startedTaskIds()).as("its GPU is free again").containsExactly("t-2");
  }

  @Test
  void theLateEndOfAnEarlierAttemptDoesNotEndTheTaskPlacedAgainOnTheSameNode() {
    RecordingLink first = connect("n-1", 1);
    submit(TestSpecs.gpuTask(1), "");
    update("n-1", first, started("t-1"));
    RecordingLink second = hello("n-1", "instance-2", List.of());
    assertThat(task("t-1").getAttempt()).isEqualTo(2);
    nextUpdateId = 1;

    update("n-1", second, attempt(1, ended("t-1", 0, false)));
    assertThat(task("t-1").getState()).isEqualTo(TASK_STATE_SCHEDULED);
    assertThat(second.lastAck()).as("acknowledged all the same").isEqualTo(1);

    update("n-1", second, attempt(2, started("t-1")));
    update("n-1", second, attempt(2, ended("t-1", 0, false)));
    assertThat(task("t-1").getState()).isEqualTo(TASK_STATE_SUCCEEDED);
  }

  private static TaskUpdate attempt(int attempt, TaskUpdate update) {
    return update.toBuilder().setAttempt(attempt).build();
  }

  @Test
  void aDuplicateEndedUpdateOfAFinishedTaskIsAcknowledgedAndIgnored() {
    RecordingLink first = connect("n-1", 1);
    submit(TestSpecs.gpuTask(1), "");
    update("n-1", first, started("t-1"));
    update("n-1", first, ended("t-1", 0, false));
    Task finished = task("t-1");
    int events = store.listEvents("t-1", 0, 100).size();

    // The agent was killed after spooling its ended update and resends it from a new process.
    RecordingLink restarted = hello("n-1", "instance-2", List.of("t-1"));
    nextUpdateId = 1;
    update("n-1", restarted, ended("t-1", 1, false));
    update("n-1", restarted, ended("t-1", 1, false));

    assertThat(task("t-1")).isEqualTo(finished);
    assertThat(store.listEvents("t-1", 0, 100)).hasSize(events);
    assertThat(restarted.lastAck()).isEqualTo(2);
    submit(TestSpecs.gpuTask(1), "");
    assertThat(restarted.startedTaskIds()).as("its GPU stayed free").containsExactly("t-2");
  }

  @Test
  void aNodeLoadedFromTheStoreGetsTheFullLostDeadlineFromTheRestart() {
    RecordingLink link = connect("n-1", 1);
    submit(TestSpecs.gpuTask(1), "");
    update("n-1", link, started("t-1"));
    loop.close();
    clock.advance(Duration.ofHours(1)); // the controller was down for an hour

    loop = newLoop();
    clock.advance(Duration.ofSeconds(29));
    loop.runOnce();
    assertThat(task("t-1").getState()).isEqualTo(TASK_STATE_RUNNING);
    assertThat(directory.list().get(0).getState()).isNotEqualTo(NodeState.NODE_STATE_LOST);

    clock.advance(Duration.ofSeconds(1));
    loop.runOnce();
    assertThat(task("t-1").getState()).isEqualTo(TASK_STATE_PENDING);
    assertThat(task("t-1").getLostCount()).isEqualTo(1);
    assertThat(directory.list().get(0).getState()).isEqualTo(NodeState.NODE_STATE_LOST);
  }

  @Test
  void aCommitRefusedForANewerLeaderFailsTheCallersClosesSessionsAndStopsTheLoop() {
    RecordingLink link = connect("n-1", 1);
    store.deposed = true;
    CompletableFuture<List<Task>> reply = new CompletableFuture<>();
    loop.offer(new LoopEvent.Submit(TestSpecs.gpuTask(1), "", reply));
    loop.runOnce();

    assertThatThrownBy(reply::join)
        .cause()
        .isInstanceOfSatisfying(
            ControllerException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.UNAVAILABLE));
    assertThat(link.closedWith).contains("no longer the leader");
    assertThat(loop.fenced())
        .isCompletedWithValueMatching(e -> e.getMessage().contains("other@host"));

    store.deposed = false;
    CompletableFuture<List<Task>> later = new CompletableFuture<>();
    loop.offer(new LoopEvent.Submit(TestSpecs.gpuTask(1), "", later));
    loop.runOnce();
    assertThatThrownBy(later::join).hasMessageContaining("shutting down");
    assertThat(store.findTask("t-1")).isEmpty();
  }

  @Test
  void aWrongCredentialIsRefused() {
    connect("n-1", 1);
    CompletableFuture<Void> reply = new CompletableFuture<>();
    loop.offer(
        new LoopEvent.Hello(
            AgentHello.newBuilder().setNodeId("n-1").setNodeCredential("guess").build(),
            new RecordingLink(),
            reply));
    loop.runOnce();

    assertThatThrownBy(reply::join)
        .cause()
        .isInstanceOfSatisfying(
            ControllerException.class,
            e -> assertThat(e.kind()).isEqualTo(ErrorKind.UNAUTHENTICATED));
  }

  @Test
  void aSilentNodeIsDisconnectedAfterTheHeartbeatTimeout() {
    RecordingLink link = connect("n-1", 1);
    clock.advance(Duration.ofSeconds(8));
    loop.offer(new LoopEvent.HeartbeatReceived("n-1", link, Heartbeat.getDefaultInstance()));
    loop.runOnce();
    clock.advance(Duration.ofSeconds(8));
    loop.runOnce();
    assertThat(link.closedWith).isNull();

    clock.advance(Duration.ofSeconds(3));
    loop.runOnce();

    assertThat(link.closedWith).isEqualTo("no heartbeat for 10s");
    assertThat(directory.list().get(0).getState()).isEqualTo(NodeState.NODE_STATE_DISCONNECTED);
    submit(TestSpecs.gpuTask(1), "");
    assertThat(task("t-1").getReason())
        .isEqualTo("waiting for 1 GPU: no node is ready (connected and not cordoned)");
  }

  @Test
  void aRestartedLoopResumesPendingTasksInOrderAndNeverReusesIds() {
    submit(TestSpecs.gpuTask(1), "");
    submit(TestSpecs.gpuTask(1), "");
    loop.close();

    loop = newLoop();
    RecordingLink link = connect("n-1", 1);
    Task third = submit(TestSpecs.gpuTask(1), "");

    assertThat(third.getId()).isEqualTo("t-3");
    assertThat(link.startedTaskIds()).containsExactly("t-1");
    assertThat(task("t-2").getState()).isEqualTo(TASK_STATE_PENDING);
  }

  @Test
  void aFailedCommitFailsItsCallersAndClosesSessionsSoAgentsResend() {
    RecordingLink link = connect("n-1", 1);
    store.failing = true;
    CompletableFuture<List<Task>> reply = new CompletableFuture<>();
    loop.offer(new LoopEvent.Submit(TestSpecs.gpuTask(1), "", reply));
    loop.runOnce();

    assertThatThrownBy(reply::join)
        .cause()
        .isInstanceOfSatisfying(
            ControllerException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.UNAVAILABLE));
    assertThat(link.startedTaskIds()).isEmpty();
    assertThat(link.closedWith).contains("store failure");

    store.failing = false;
    RecordingLink again = hello("n-1", "instance-1", List.of());
    assertThat(submit(TestSpecs.gpuTask(1), "").getState()).isEqualTo(TASK_STATE_SCHEDULED);
    assertThat(again.startedTaskIds()).hasSize(1);
  }

  @Test
  void aGangIsSubmittedAsItsMembersAndStartsTogetherWithRendezvousEnvironment() {
    RecordingLink a = connect("n-1", 2);
    RecordingLink b = connect("n-2", 2);

    List<Task> gang =
        submitAll(
            TestSpecs.gpuTask()
                .setGangSize(2)
                .setResources(io.gpupool.proto.v1.Resources.newBuilder().setGpus(2))
                .build(),
            "g");

    assertThat(gang).extracting(Task::getId).containsExactly("t-1", "t-2");
    assertThat(gang).extracting(t -> t.getGang().getRank()).containsExactly(0, 1);
    assertThat(gang).allSatisfy(t -> assertThat(t.getState()).isEqualTo(TASK_STATE_SCHEDULED));
    var rank0 =
        a.sent.stream().filter(m -> m.hasStartTask()).findFirst().orElseThrow().getStartTask();
    var rank1 =
        b.sent.stream().filter(m -> m.hasStartTask()).findFirst().orElseThrow().getStartTask();
    assertThat(rank0.getEnvMap())
        .containsEntry("RANK", "0")
        .containsEntry("WORLD_SIZE", "2")
        .containsEntry("MASTER_ADDR", "host-n-1")
        .containsEntry("MASTER_PORT", "29501");
    assertThat(rank1.getEnvMap())
        .containsEntry("RANK", "1")
        .containsEntry("MASTER_ADDR", "host-n-1");
    assertThat(rank0.getAttempt()).isEqualTo(1);
    assertThat(
            submitAll(
                TestSpecs.gpuTask()
                    .setGangSize(2)
                    .setResources(io.gpupool.proto.v1.Resources.newBuilder().setGpus(2))
                    .build(),
                "g"))
        .as("idempotent gang submit")
        .extracting(Task::getId)
        .containsExactly("t-1", "t-2");

    update("n-1", a, started("t-1"));
    update("n-2", b, started("t-2"));
    update("n-2", b, ended("t-2", 1, false));

    assertThat(task("t-2").getState()).isEqualTo(TASK_STATE_FAILED);
    assertThat(a.cancelledTaskIds()).containsExactly("t-1");
    update("n-1", a, ended("t-1", 143, true));
    assertThat(task("t-1").getState()).isEqualTo(TASK_STATE_CANCELLED);
    assertThat(task("t-1").getReason()).isEqualTo("gang member t-2 failed (exit code 143)");
  }

  @Test
  void higherPriorityWorkPreemptsWithNoticeAndTheVictimRequeuesForAnotherAttempt() {
    RecordingLink link = connect("n-1", 1);
    submit(TestSpecs.gpuTask().setPreemptible(true).build(), "");
    update("n-1", link, started("t-1"));

    Task vip = submit(TestSpecs.gpuTask().setPriority(10).build(), "");

    assertThat(vip.getState()).isEqualTo(TASK_STATE_PENDING);
    assertThat(vip.getReason()).isEqualTo("preempting t-1 on host-n-1 to make room (priority 10)");
    var notice =
        link.sent.stream()
            .filter(m -> m.hasPreemptTask())
            .findFirst()
            .orElseThrow()
            .getPreemptTask();
    assertThat(notice.getTaskId()).isEqualTo("t-1");
    assertThat(notice.getReason()).isEqualTo("preempted by t-2 (priority 10 > 0)");
    assertThat(notice.getNoticePeriod().getSeconds()).isEqualTo(30);
    assertThat(task("t-1").getPreemptionRequested()).isTrue();
    submit(TestSpecs.gpuTask().setName("other").build(), "");
    assertThat(link.sent.stream().filter(m -> m.hasPreemptTask()).count())
        .as("one notice only")
        .isEqualTo(1);

    update(
        "n-1",
        link,
        TaskUpdate.newBuilder()
            .setUpdateId(nextUpdateId++)
            .setTaskId("t-1")
            .setEnded(
                TaskEnded.newBuilder()
                    .setPreempted(true)
                    .setResult(
                        TaskResult.newBuilder()
                            .setExitCode(0)
                            .setMessage(
                                "preempted: preempted by t-2 (priority 10 > 0) (checkpointed)")))
            .build());

    Task victim = task("t-1");
    assertThat(victim.getState()).isEqualTo(TASK_STATE_PENDING);
    var requeued = victim.getTransitions(victim.getTransitionsCount() - 1);
    assertThat(requeued.getState()).isEqualTo(TASK_STATE_PENDING);
    assertThat(requeued.getReason())
        .isEqualTo(
            "PREEMPTED: preempted by t-2 (priority 10 > 0) (checkpointed); waiting to run again");
    assertThat(victim.hasPlacement()).isFalse();
    assertThat(task("t-2").getState()).isEqualTo(TASK_STATE_SCHEDULED);

    update("n-1", link, started("t-2"));
    update("n-1", link, ended("t-2", 0, false));
    var restart =
        link.sent.stream()
            .filter(m -> m.hasStartTask() && m.getStartTask().getTaskId().equals("t-1"))
            .toList();
    assertThat(restart).hasSize(2);
    assertThat(restart.get(1).getStartTask().getAttempt()).isEqualTo(2);
    assertThat(task("t-1").getAttempt()).isEqualTo(2);
  }

  @Test
  void aCordonedNodeGetsNoNewTasksButKeepsItsRunningOnes() {
    RecordingLink link = connect("n-1", 2);
    submit(TestSpecs.gpuTask(1), "");

    CompletableFuture<io.gpupool.proto.v1.Node> cordoned = new CompletableFuture<>();
    loop.offer(new LoopEvent.Cordon("host-n-1", true, cordoned));
    loop.runOnce();
    Task waiting = submit(TestSpecs.gpuTask(1), "");

    assertThat(cordoned.join().getCordoned()).isTrue();
    assertThat(waiting.getState()).isEqualTo(TASK_STATE_PENDING);
    assertThat(task("t-1").getState()).isEqualTo(TASK_STATE_SCHEDULED);
    assertThat(link.startedTaskIds()).containsExactly("t-1");

    CompletableFuture<io.gpupool.proto.v1.Node> uncordoned = new CompletableFuture<>();
    loop.offer(new LoopEvent.Cordon("n-1", false, uncordoned));
    loop.runOnce();
    assertThat(task("t-2").getState()).isEqualTo(TASK_STATE_SCHEDULED);

    CompletableFuture<io.gpupool.proto.v1.Node> missing = new CompletableFuture<>();
    loop.offer(new LoopEvent.Cordon("nope", true, missing));
    loop.runOnce();
    assertThatThrownBy(missing::join).hasMessageContaining("node nope not found");
  }

  @Test
  void fractionalTasksShareOneGpuAndSeeTheirShare() {
    RecordingLink link = connect("n-1", 1);
    TaskSpec half =
        TestSpecs.gpuTask()
            .setResources(io.gpupool.proto.v1.Resources.newBuilder().setGpuMemoryBytes(40L << 30))
            .build();

    submit(half, "");
    submit(half, "");
    Task third = submit(half, "");

    assertThat(task("t-1").getState()).isEqualTo(TASK_STATE_SCHEDULED);
    assertThat(task("t-2").getState()).isEqualTo(TASK_STATE_SCHEDULED);
    assertThat(third.getState()).isEqualTo(TASK_STATE_PENDING);
    assertThat(third.getReason())
        .isEqualTo("waiting for 40960 MiB on one GPU: no GPU has that much memory unpromised");
    var gpu = directory.list().get(0).getGpus(0);
    assertThat(gpu.getSharedTaskIdsList()).containsExactly("t-1", "t-2");
    assertThat(gpu.getSharedMemoryBytes()).isEqualTo(80L << 30);
    assertThat(
            link.sent.stream()
                .filter(m -> m.hasStartTask())
                .findFirst()
                .orElseThrow()
                .getStartTask()
                .getEnvMap())
        .containsEntry("GPUPOOL_GPU_MEMORY_BYTES", String.valueOf(40L << 30));

    update("n-1", link, started("t-1"));
    update("n-1", link, ended("t-1", 0, false));
    assertThat(task("t-3").getState()).isEqualTo(TASK_STATE_SCHEDULED);
  }

  @Test
  void aNodeSilentPastTheLostDeadlineHasItsTasksRequeuedAndIsToldToKillThemWhenItReturns() {
    RecordingLink lostLink = connect("n-1", 1);
    RecordingLink healthy = connect("n-2", 1);
    submit(TestSpecs.gpuTask(1), "");
    update("n-1", lostLink, started("t-1"));
    submit(TestSpecs.gpuTask(1), "");
    update("n-2", healthy, started("t-2"));

    for (int second = 0; second < 29; second++) {
      clock.advance(Duration.ofSeconds(1));
      loop.offer(new LoopEvent.HeartbeatReceived("n-2", healthy, Heartbeat.getDefaultInstance()));
      loop.runOnce();
    }
    assertThat(lostLink.closedWith).isEqualTo("no heartbeat for 10s");
    assertThat(task("t-1").getState()).as("suspect, not lost yet").isEqualTo(TASK_STATE_RUNNING);

    clock.advance(Duration.ofSeconds(1));
    loop.offer(new LoopEvent.HeartbeatReceived("n-2", healthy, Heartbeat.getDefaultInstance()));
    loop.runOnce();

    Task requeued = task("t-1");
    assertThat(requeued.getState()).isEqualTo(TASK_STATE_PENDING);
    assertThat(requeued.getLostCount()).isEqualTo(1);
    assertThat(requeued.getReason()).isEqualTo("waiting for 1 GPU to become free");
    assertThat(requeued.getTransitions(requeued.getTransitionsCount() - 1).getReason())
        .isEqualTo("NODE_LOST: node host-n-1 silent for 30s; requeued (1 of 3)");
    assertThat(directory.list().get(0).getState()).isEqualTo(NodeState.NODE_STATE_LOST);

    update("n-2", healthy, ended("t-2", 0, false));
    assertThat(task("t-1").getState()).isEqualTo(TASK_STATE_SCHEDULED);
    assertThat(task("t-1").getPlacement().getNodeId()).isEqualTo("n-2");

    RecordingLink back = hello("n-1", "instance-1", List.of("t-1"));
    assertThat(back.cancelledTaskIds()).as("must not run twice at once").containsExactly("t-1");
  }

  @Test
  void aTaskRequeuedTooOftenForLostNodesFails() {
    loop.close();
    loop =
        new SchedulerLoop(
            clock,
            store,
            Policies.create("first-fit"),
            new TaskEventBus(),
            directory,
            new LoopSettings(
                Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(30), 0));
    RecordingLink link = connect("n-1", 1);
    submit(TestSpecs.gpuTask(1), "");
    update("n-1", link, started("t-1"));

    clock.advance(Duration.ofSeconds(31));
    loop.runOnce();

    assertThat(task("t-1").getState()).isEqualTo(TASK_STATE_FAILED);
    assertThat(task("t-1").getReason())
        .isEqualTo("NODE_LOST: node host-n-1 silent for 30s; requeued 0 times already, giving up");
  }

  @Test
  void anUnhealthyGpuGetsNoWorkAndAHealthySampleAloneDoesNotEndItsQuarantine() {
    RecordingLink link = connect("n-1", 2);
    loop.offer(new LoopEvent.HeartbeatReceived("n-1", link, health(false)));
    loop.runOnce();

    Task waiting = submit(TestSpecs.gpuTask(2), "");
    assertThat(waiting.getState()).isEqualTo(TASK_STATE_PENDING);

    loop.offer(new LoopEvent.HeartbeatReceived("n-1", link, health(true)));
    loop.runOnce();
    assertThat(task("t-1").getState()).isEqualTo(TASK_STATE_PENDING);
    assertThat(directory.list().get(0).getGpus(0).hasQuarantine()).isTrue();
  }

  private static Heartbeat health(boolean gpu0Healthy) {
    return Heartbeat.newBuilder()
        .addDevices(
            io.gpupool.proto.v1.DeviceStatus.newBuilder().setIndex(0).setHealthy(gpu0Healthy))
        .addDevices(io.gpupool.proto.v1.DeviceStatus.newBuilder().setIndex(1).setHealthy(true))
        .build();
  }

  // ---- helpers ----

  private Task submit(TaskSpec spec, String requestId) {
    return submitAll(spec, requestId).get(0);
  }

  private List<Task> submitAll(TaskSpec spec, String requestId) {
    CompletableFuture<List<Task>> reply = new CompletableFuture<>();
    loop.offer(new LoopEvent.Submit(spec, requestId, reply));
    loop.runOnce();
    return reply.join();
  }

  private Task cancel(String id) {
    CompletableFuture<Task> reply = new CompletableFuture<>();
    loop.offer(new LoopEvent.Cancel(id, reply));
    loop.runOnce();
    return reply.join();
  }

  private Task task(String id) {
    return store.findTask(id).orElseThrow();
  }

  private RecordingLink connect(String nodeId, int gpus) {
    RegisterRequest.Builder request =
        RegisterRequest.newBuilder().setNodeId(nodeId).setNodeName("host-" + nodeId);
    for (int i = 0; i < gpus; i++) {
      request.addDevices(
          DeviceInfo.newBuilder()
              .setIndex(i)
              .setUuid("GPU-" + nodeId + "-" + i)
              .setModel("NVIDIA H100 80GB")
              .setMemoryTotalBytes(80L << 30));
    }
    CompletableFuture<Void> registered = new CompletableFuture<>();
    loop.offer(
        new LoopEvent.Register(request.build(), Credentials.hash("secret-" + nodeId), registered));
    loop.runOnce();
    registered.join();
    return hello(nodeId, "instance-1", List.of());
  }

  private RecordingLink hello(String nodeId, String instance, List<String> known) {
    RecordingLink link = new RecordingLink();
    CompletableFuture<Void> accepted = new CompletableFuture<>();
    loop.offer(
        new LoopEvent.Hello(
            AgentHello.newBuilder()
                .setNodeId(nodeId)
                .setNodeCredential("secret-" + nodeId)
                .setInstanceId(instance)
                .addAllKnownTaskIds(known)
                .build(),
            link,
            accepted));
    loop.runOnce();
    accepted.join();
    return link;
  }

  private void update(String nodeId, RecordingLink link, TaskUpdate update) {
    loop.offer(new LoopEvent.UpdateReceived(nodeId, link, update));
    loop.runOnce();
  }

  private TaskUpdate started(String taskId) {
    return TaskUpdate.newBuilder()
        .setUpdateId(nextUpdateId++)
        .setTaskId(taskId)
        .setStarted(TaskStarted.getDefaultInstance())
        .build();
  }

  private TaskUpdate ended(String taskId, int exitCode, boolean cancelled) {
    return TaskUpdate.newBuilder()
        .setUpdateId(nextUpdateId++)
        .setTaskId(taskId)
        .setEnded(
            TaskEnded.newBuilder()
                .setCancelled(cancelled)
                .setResult(TaskResult.newBuilder().setExitCode(exitCode)))
        .build();
  }

  private TaskUpdate logs(String taskId, String... lines) {
    List<LogLine> list = new ArrayList<>();
    for (String line : lines) {
      list.add(LogLine.newBuilder().setText(line).build());
    }
    return TaskUpdate.newBuilder()
        .setUpdateId(nextUpdateId++)
        .setTaskId(taskId)
        .setLogs(TaskLogs.newBuilder().addAllLines(list))
        .build();
  }

  private TaskUpdate progress(String taskId, double percent) {
    return TaskUpdate.newBuilder()
        .setUpdateId(nextUpdateId++)
        .setTaskId(taskId)
        .setProgress(Progress.newBuilder().setPercent(percent))
        .build();
  }
}
