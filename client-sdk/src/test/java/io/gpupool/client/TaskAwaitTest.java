package io.gpupool.client;

import static io.gpupool.client.Protos.stateChange;
import static io.gpupool.proto.v1.TaskState.TASK_STATE_FAILED;
import static io.gpupool.proto.v1.TaskState.TASK_STATE_RUNNING;
import static io.gpupool.proto.v1.TaskState.TASK_STATE_SUCCEEDED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.gpupool.proto.v1.GetTaskResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class TaskAwaitTest {
  private static final String ID = "t-1";

  private InProcessController controller;
  private FakeScheduler fake;
  private GpuPoolClient client;
  private final AtomicReference<io.gpupool.proto.v1.Task> stored = new AtomicReference<>();

  @BeforeEach
  void start() throws Exception {
    controller = new InProcessController();
    fake = controller.scheduler;
    fake.onGet = request -> GetTaskResponse.newBuilder().setTask(stored.get()).build();
    client = controller.clientBuilder().build();
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    controller.close();
  }

  @Test
  void awaitReturnsTheFinalResultOnceTheTaskEnds() {
    stored.set(Protos.task(ID, TASK_STATE_RUNNING));
    fake.onWatch =
        (request, call) -> {
          // The task ends while the client watches it.
          stored.set(Protos.endedTask(ID, TASK_STATE_FAILED, 3, "exited 3"));
          call.onNext(event(stateChange(ID, 1, TASK_STATE_RUNNING)));
          call.onNext(event(stateChange(ID, 2, TASK_STATE_FAILED)));
          call.onCompleted();
        };

    TaskResult result = client.task(ID).await(Duration.ofSeconds(30));

    assertThat(result.state()).isEqualTo(TaskState.FAILED);
    assertThat(result.succeeded()).isFalse();
    assertThat(result.exitCode()).hasValue(3);
    assertThat(result.message()).isEqualTo("exited 3");
    assertThat(result.task().id()).isEqualTo(ID);
    assertThat(result.task().endTime()).isPresent();
    assertThat(fake.watches).hasSize(1);
  }

  @Test
  void awaitOfAnEndedTaskReturnsWithoutWatching() {
    stored.set(Protos.endedTask(ID, TASK_STATE_SUCCEEDED, 0, ""));

    TaskResult result = client.task(ID).await(Duration.ofSeconds(30));

    assertThat(result.succeeded()).isTrue();
    assertThat(result.exitCode()).hasValue(0);
    assertThat(fake.watches).isEmpty();
  }

  @Test
  void awaitTimesOutWithDeadlineExceededAndStopsWatching() {
    stored.set(Protos.task(ID, TASK_STATE_RUNNING));
    fake.completeAfterHistory = false;
    fake.history.put(ID, List.of(stateChange(ID, 1, TASK_STATE_RUNNING)));

    assertThatThrownBy(() -> client.task(ID).await(Duration.ofMillis(300)))
        .isInstanceOfSatisfying(
            GpuPoolException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.DEADLINE_EXCEEDED);
              assertThat(e.getMessage()).isEqualTo("task t-1 did not end within PT0.3S");
            });
    await().until(() -> fake.cancelledWatches.get() == 1);
  }

  @Test
  void awaitOfAnUnknownTaskFailsWithNotFound() {
    fake.onGet =
        request -> {
          throw io.grpc.Status.NOT_FOUND.withDescription("no task t-404").asRuntimeException();
        };

    assertThatThrownBy(() -> client.task("t-404").await(Duration.ofSeconds(30)))
        .isInstanceOfSatisfying(
            GpuPoolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
  }

  @Test
  void cancellingAwaitAsyncStopsTheWatch() {
    stored.set(Protos.task(ID, TASK_STATE_RUNNING));
    fake.completeAfterHistory = false;
    fake.history.put(ID, List.of(stateChange(ID, 1, TASK_STATE_RUNNING)));
    CompletableFuture<TaskResult> result = client.task(ID).awaitAsync();
    await().until(() -> fake.watches.size() == 1);

    result.cancel(false);

    await().until(() -> fake.cancelledWatches.get() == 1);
  }

  private static io.gpupool.proto.v1.WatchTaskResponse event(io.gpupool.proto.v1.TaskEvent e) {
    return io.gpupool.proto.v1.WatchTaskResponse.newBuilder().setEvent(e).build();
  }
}
