package io.gpupool.client;

import static io.gpupool.client.Protos.log;
import static io.gpupool.client.Protos.progress;
import static io.gpupool.client.Protos.stateChange;
import static io.gpupool.proto.v1.TaskState.TASK_STATE_PENDING;
import static io.gpupool.proto.v1.TaskState.TASK_STATE_RUNNING;
import static io.gpupool.proto.v1.TaskState.TASK_STATE_SCHEDULED;
import static io.gpupool.proto.v1.TaskState.TASK_STATE_SUCCEEDED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.gpupool.proto.v1.LogStream;
import io.gpupool.proto.v1.WatchTaskRequest;
import io.gpupool.proto.v1.WatchTaskResponse;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class TaskEventsTest {
  private static final String ID = "t-1";

  private InProcessController controller;
  private FakeScheduler fake;
  private GpuPoolClient client;

  @BeforeEach
  void start() throws Exception {
    controller = new InProcessController();
    fake = controller.scheduler;
    client = controller.clientBuilder().build();
    fake.history.put(
        ID,
        List.of(
            stateChange(ID, 1, TASK_STATE_PENDING),
            stateChange(ID, 2, TASK_STATE_RUNNING),
            progress(ID, 3, 50),
            log(ID, 4, LogStream.LOG_STREAM_STDOUT, "epoch 1"),
            log(ID, 5, LogStream.LOG_STREAM_STDERR, "warning: slow disk"),
            stateChange(ID, 6, TASK_STATE_SUCCEEDED)));
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    controller.close();
  }

  @Test
  void eventsIterateStateProgressAndLogInOrderAndEndAtTheTerminalState() {
    fake.completeAfterHistory = false; // the iterator must end on the terminal event by itself

    List<TaskEvent> events = new ArrayList<>();
    try (TaskEventStream stream = client.task(ID).events()) {
      for (TaskEvent event : stream) {
        events.add(event);
      }
      assertThat(stream.hasNext()).isFalse();
    }

    assertThat(fake.watches)
        .containsExactly(WatchTaskRequest.newBuilder().setId(ID).setAfterSequence(0).build());
    assertThat(events).extracting(TaskEvent::sequence).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
    assertThat(events.get(0))
        .isEqualTo(
            new TaskEvent.StateChanged(
                1,
                TaskState.PENDING,
                "reason 1",
                Protos.T0.plusSeconds(1),
                OptionalInt.empty(),
                ""));
    assertThat(events.get(2))
        .isInstanceOfSatisfying(
            TaskEvent.ProgressReported.class,
            p -> {
              assertThat(p.progress().percent()).hasValue(50);
              assertThat(p.progress().step()).hasValue(5);
              assertThat(p.progress().totalSteps()).hasValue(10);
              assertThat(p.progress().metrics()).containsEntry("loss", 0.31);
              assertThat(p.progress().message()).isEqualTo("halfway");
            });
    assertThat(events.get(3))
        .isEqualTo(
            new TaskEvent.LogLine(
                4, io.gpupool.client.LogStream.STDOUT, "epoch 1", Protos.T0.plusSeconds(4)));
    assertThat(events.get(4))
        .isInstanceOfSatisfying(
            TaskEvent.LogLine.class,
            line -> assertThat(line.stream()).isEqualTo(io.gpupool.client.LogStream.STDERR));
    assertThat(events.get(5))
        .isInstanceOfSatisfying(
            TaskEvent.StateChanged.class,
            end -> {
              assertThat(end.state()).isEqualTo(TaskState.SUCCEEDED);
              assertThat(end.isTerminal()).isTrue();
              assertThat(end.exitCode()).hasValue(0);
              assertThat(end.resultMessage()).isEqualTo("exited 0");
            });
  }

  @Test
  void eventsFromASequenceStartAfterIt() {
    List<Long> sequences = client.task(ID).events(4).stream().map(TaskEvent::sequence).toList();

    assertThat(fake.watches.get(0).getAfterSequence()).isEqualTo(4);
    assertThat(sequences).containsExactly(5L, 6L);
  }

  @Test
  void listenerGetsEveryEventInOrderThenOnCompleted() {
    RecordingListener listener = new RecordingListener();

    client.task(ID).watch(listener);

    await().until(() -> listener.completed.get() == 1);
    assertThat(listener.sequences()).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
    assertThat(listener.error.get()).isNull();
  }

  @Test
  void aWatchBrokenByUnavailableResumesAfterTheLastSequenceWithoutDuplicates() {
    fake.breakAfter.add(3);

    List<Long> sequences = client.task(ID).events().stream().map(TaskEvent::sequence).toList();

    assertThat(fake.watches).extracting(WatchTaskRequest::getAfterSequence).containsExactly(0L, 3L);
    assertThat(sequences).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
  }

  @Test
  void aListenerWatchSurvivesSeveralBreaks() {
    fake.breakAfter.add(2);
    fake.breakAfter.add(0);
    fake.breakAfter.add(2);
    RecordingListener listener = new RecordingListener();

    client.task(ID).watch(listener);

    await().until(() -> listener.completed.get() == 1);
    assertThat(fake.watches)
        .extracting(WatchTaskRequest::getAfterSequence)
        .containsExactly(0L, 2L, 2L, 4L);
    assertThat(listener.sequences()).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
    assertThat(listener.error.get()).isNull();
  }

  @Test
  void eventsTheServerSendsAgainAfterAResumeAreDropped() {
    fake.breakAfter.add(4);
    fake.resendFromStart = true;

    List<Long> sequences = client.task(ID).events().stream().map(TaskEvent::sequence).toList();

    assertThat(fake.watches).hasSize(2);
    assertThat(sequences).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
  }

  @Test
  void aWatchGivesUpWithUnavailableAfterTheReconnectTimeout() {
    client.close();
    client = controller.clientBuilder().watchReconnectTimeout(Duration.ofMillis(300)).build();
    fake.onWatch =
        (request, call) ->
            call.onError(
                Status.UNAVAILABLE.withDescription("connection refused").asRuntimeException());
    RecordingListener listener = new RecordingListener();

    client.task(ID).watch(listener);

    await().until(() -> listener.error.get() != null);
    assertThat(listener.error.get().code()).isEqualTo(ErrorCode.UNAVAILABLE);
    assertThat(listener.error.get().getMessage())
        .contains("could not resume it within watchReconnectTimeout PT0.3S")
        .contains("connection refused");
    assertThat(fake.watches.size()).isGreaterThan(2);
    assertThat(listener.completed.get()).isZero();
  }

  @Test
  void aZeroReconnectTimeoutFailsAtTheFirstBreak() {
    client.close();
    client = controller.clientBuilder().watchReconnectTimeout(Duration.ZERO).build();
    fake.breakAfter.add(2);

    TaskEventStream events = client.task(ID).events();

    assertThat(events.next().sequence()).isEqualTo(1);
    assertThat(events.next().sequence()).isEqualTo(2);
    assertThatThrownBy(events::hasNext)
        .isInstanceOfSatisfying(
            GpuPoolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
    assertThat(fake.watches).hasSize(1);
  }

  @Test
  void watchingAnUnknownTaskFailsWithNotFoundWithoutRetrying() {
    TaskEventStream events = client.task("t-404").events();

    assertThatThrownBy(events::hasNext)
        .isInstanceOfSatisfying(
            GpuPoolException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
              assertThat(e.getMessage()).isEqualTo("no task t-404");
            });
    assertThat(fake.watches).hasSize(1);
  }

  @Test
  void aSlowConsumerHoldsTheServerBack() {
    AtomicInteger sent = new AtomicInteger();
    fake.onWatch =
        (request, call) ->
            call.setOnReadyHandler(
                () -> {
                  while (call.isReady() && !call.isCancelled()) {
                    int sequence = sent.incrementAndGet();
                    call.onNext(
                        WatchTaskResponse.newBuilder()
                            .setEvent(log(ID, sequence, LogStream.LOG_STREAM_STDOUT, "line"))
                            .build());
                  }
                });

    try (TaskEventStream events = client.task(ID).events()) {
      await()
          .during(Duration.ofMillis(300))
          .atMost(Duration.ofSeconds(10))
          .until(() -> sent.get() == 64);
      for (int i = 1; i <= 10; i++) {
        assertThat(events.next().sequence()).isEqualTo(i);
      }
      await().until(() -> sent.get() == 74);
    }
  }

  @Test
  void closingTheStreamCancelsTheRpcAndEndsTheIteration() {
    fake.completeAfterHistory = false;
    fake.history.put(ID, List.of(stateChange(ID, 1, TASK_STATE_PENDING)));
    TaskEventStream events = client.task(ID).events();
    assertThat(events.next().sequence()).isEqualTo(1);

    events.close();

    await().until(() -> fake.cancelledWatches.get() == 1);
    assertThat(events.hasNext()).isFalse();
  }

  @Test
  void closingTheStreamWakesAThreadWaitingForTheNextEvent() throws Exception {
    fake.completeAfterHistory = false;
    fake.history.put(ID, List.of());
    TaskEventStream events = client.task(ID).events();
    AtomicReference<Boolean> hasNext = new AtomicReference<>();
    Thread consumer = new Thread(() -> hasNext.set(events.hasNext()));
    consumer.start();
    await().until(() -> consumer.getState() == Thread.State.WAITING);

    events.close();

    consumer.join(10_000);
    assertThat(hasNext.get()).isFalse();
  }

  @Test
  void closingAListenerWatchCancelsTheRpcWithoutFurtherCallbacks() {
    fake.completeAfterHistory = false;
    fake.history.put(
        ID,
        List.of(stateChange(ID, 1, TASK_STATE_PENDING), stateChange(ID, 2, TASK_STATE_SCHEDULED)));
    RecordingListener listener = new RecordingListener();
    TaskWatcher watcher = client.task(ID).watch(listener);
    await().until(() -> listener.sequences().size() == 2);

    watcher.close();

    await().until(() -> fake.cancelledWatches.get() == 1);
    assertThat(listener.completed.get()).isZero();
    assertThat(listener.error.get()).isNull();
  }

  @Test
  void aListenerThatThrowsEndsTheWatchWithUnknown() {
    fake.completeAfterHistory = false;
    RecordingListener listener =
        new RecordingListener() {
          @Override
          public void onNext(TaskEvent event) {
            super.onNext(event);
            if (event.sequence() == 2) {
              throw new IllegalStateException("boom");
            }
          }
        };

    client.task(ID).watch(listener);

    await().until(() -> listener.error.get() != null);
    assertThat(listener.error.get().code()).isEqualTo(ErrorCode.UNKNOWN);
    assertThat(listener.error.get()).hasRootCauseMessage("boom");
    assertThat(listener.sequences()).containsExactly(1L, 2L);
  }

  @Test
  void closingTheClientEndsOpenWatchesWithCancelled() {
    fake.completeAfterHistory = false;
    fake.history.put(ID, List.of(stateChange(ID, 1, TASK_STATE_PENDING)));
    RecordingListener listener = new RecordingListener();
    client.task(ID).watch(listener);
    TaskEventStream events = client.task(ID).events();
    assertThat(events.next().sequence()).isEqualTo(1);
    await().until(() -> listener.sequences().size() == 1);

    client.close();

    await().until(() -> listener.error.get() != null);
    assertThat(listener.error.get().code()).isEqualTo(ErrorCode.CANCELLED);
    assertThatThrownBy(events::hasNext)
        .isInstanceOfSatisfying(
            GpuPoolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CANCELLED));
    await().until(() -> fake.cancelledWatches.get() == 2);
  }

  @Test
  void aNegativeAfterSequenceIsRejected() {
    assertThatThrownBy(() -> client.task(ID).events(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("afterSequence must not be negative, got -1");
  }

  /** Records what a watch delivers; safe to read from the test thread. */
  static class RecordingListener implements TaskEventListener {
    final List<TaskEvent> events = new CopyOnWriteArrayList<>();
    final AtomicReference<GpuPoolException> error = new AtomicReference<>();
    final AtomicInteger completed = new AtomicInteger();

    @Override
    public void onNext(TaskEvent event) {
      events.add(event);
    }

    @Override
    public void onError(GpuPoolException e) {
      error.set(e);
    }

    @Override
    public void onCompleted() {
      completed.incrementAndGet();
    }

    List<Long> sequences() {
      return events.stream().map(TaskEvent::sequence).toList();
    }
  }
}
