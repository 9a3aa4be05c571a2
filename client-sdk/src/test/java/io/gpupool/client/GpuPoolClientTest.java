package io.gpupool.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

import io.gpupool.proto.v1.CancelTaskResponse;
import io.gpupool.proto.v1.DeviceInfo;
import io.gpupool.proto.v1.DeviceStatus;
import io.gpupool.proto.v1.GetTaskResponse;
import io.gpupool.proto.v1.ListNodesResponse;
import io.gpupool.proto.v1.ListTasksRequest;
import io.gpupool.proto.v1.ListTasksResponse;
import io.gpupool.proto.v1.SubmitTaskRequest;
import io.grpc.Status;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class GpuPoolClientTest {
  private InProcessController controller;
  private FakeScheduler fake;
  private GpuPoolClient client;

  @BeforeEach
  void start() throws Exception {
    controller = new InProcessController();
    fake = controller.scheduler;
    client = controller.clientBuilder().build();
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    controller.close();
  }

  @Test
  void submitSendsTheSpecAndAGeneratedRequestId() {
    TaskSpec spec =
        TaskSpec.builder()
            .name("train")
            .command("python", "train.py", "--epochs", "3")
            .env("K", "V")
            .workingDir("/data")
            .gpus(2)
            .gpuModel("H100")
            .maxRuntime(Duration.ofMinutes(90))
            .killGracePeriod(Duration.ofMillis(2500))
            .label("team", "vision")
            .build();

    TaskHandle handle = client.submit(spec);

    assertThat(handle.id()).isEqualTo("t-1");
    assertThat(fake.submits).hasSize(1);
    SubmitTaskRequest request = fake.submits.get(0);
    io.gpupool.proto.v1.TaskSpec sent = request.getSpec();
    assertThat(sent.getName()).isEqualTo("train");
    assertThat(sent.getCommand().getArgvList())
        .containsExactly("python", "train.py", "--epochs", "3");
    assertThat(sent.getCommand().getEnvMap()).containsExactly(Map.entry("K", "V"));
    assertThat(sent.getCommand().getWorkingDir()).isEqualTo("/data");
    assertThat(sent.getResources().getGpus()).isEqualTo(2);
    assertThat(sent.getResources().getGpuModel()).isEqualTo("H100");
    assertThat(sent.getMaxRuntime().getSeconds()).isEqualTo(5400);
    assertThat(sent.getKillGracePeriod().getSeconds()).isEqualTo(2);
    assertThat(sent.getKillGracePeriod().getNanos()).isEqualTo(500_000_000);
    assertThat(sent.getLabelsMap()).containsExactly(Map.entry("team", "vision"));
    assertThat(UUID.fromString(request.getRequestId())).isNotNull();
  }

  @Test
  void submitLeavesUnsetOptionsUnsetOnTheWire() {
    client.submit(TaskSpec.builder().command("nvidia-smi").build());

    io.gpupool.proto.v1.TaskSpec sent = fake.submits.get(0).getSpec();
    assertThat(sent.hasMaxRuntime()).isFalse();
    assertThat(sent.hasKillGracePeriod()).isFalse();
    assertThat(sent.getCommand().getWorkingDir()).isEmpty();
    assertThat(sent.getResources().getGpus()).isEqualTo(1);
  }

  @Test
  void submitSendsTheSpecsOwnRequestId() {
    client.submit(TaskSpec.builder().command("true").requestId("nightly-2026-11-02").build());

    assertThat(fake.submits.get(0).getRequestId()).isEqualTo("nightly-2026-11-02");
  }

  @Test
  void eachSubmitCallGetsItsOwnRequestId() {
    TaskSpec spec = TaskSpec.builder().command("true").build();

    client.submit(spec);
    client.submit(spec);

    assertThat(fake.submits.get(0).getRequestId()).isNotEqualTo(fake.submits.get(1).getRequestId());
  }

  @Test
  void submitRetriedAfterUnavailableResendsTheSameRequestId() {
    fake.failures.add(Status.UNAVAILABLE.withDescription("controller restarting"));
    fake.failures.add(Status.UNAVAILABLE.withDescription("controller restarting"));

    TaskHandle handle = client.submit(TaskSpec.builder().command("true").build());

    assertThat(handle.id()).isEqualTo("t-1");
    assertThat(fake.submits).hasSize(3);
    assertThat(fake.submits)
        .extracting(SubmitTaskRequest::getRequestId)
        .containsOnly(fake.submits.get(0).getRequestId());
  }

  @Test
  void unavailableFailsTheCallOnceTheRetriesAreSpent() {
    client.close();
    client = controller.clientBuilder().maxRetries(2).build();
    for (int i = 0; i < 5; i++) {
      fake.failures.add(Status.UNAVAILABLE.withDescription("connection refused"));
    }

    assertThatThrownBy(() -> client.getTask("t-1"))
        .isInstanceOfSatisfying(
            GpuPoolException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
              assertThat(e.getMessage()).isEqualTo("connection refused");
            });
    assertThat(fake.gets).hasSize(3);
  }

  @Test
  void invalidArgumentBecomesGpuPoolExceptionWithTheServersMessageAndIsNotRetried() {
    fake.onSubmit =
        request -> {
          throw Status.INVALID_ARGUMENT
              .withDescription("spec.resources.gpus must be 1 to 64, got 65")
              .asRuntimeException();
        };

    assertThatThrownBy(() -> client.submit(TaskSpec.builder().command("true").gpus(65).build()))
        .isInstanceOfSatisfying(
            GpuPoolException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
              assertThat(e.getMessage()).isEqualTo("spec.resources.gpus must be 1 to 64, got 65");
            });
    assertThat(fake.submits).hasSize(1);
  }

  @Test
  void getTaskOfUnknownIdFailsWithNotFound() {
    assertThatThrownBy(() -> client.getTask("t-404"))
        .isInstanceOfSatisfying(
            GpuPoolException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
              assertThat(e.getMessage()).isEqualTo("no task t-404");
              assertThat(e)
                  .hasToString(GpuPoolException.class.getName() + ": NOT_FOUND: no task t-404");
            });
  }

  @Test
  void asyncCallsCompleteExceptionallyWithTheGpuPoolExceptionItself() {
    CompletableFuture<Task> future = client.getTaskAsync("t-404");

    Throwable failure = future.handle((task, error) -> error).join();

    assertThat(failure)
        .asInstanceOf(type(GpuPoolException.class))
        .extracting(GpuPoolException::code)
        .isEqualTo(ErrorCode.NOT_FOUND);
    assertThatThrownBy(future::join)
        .isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(GpuPoolException.class);
  }

  @Test
  void getTaskMapsEveryField() {
    io.gpupool.proto.v1.Task proto =
        Protos.endedTask("t-7", io.gpupool.proto.v1.TaskState.TASK_STATE_FAILED, 137, "killed")
            .toBuilder()
            .setReason("exit code 137")
            .setPlacement(
                io.gpupool.proto.v1.Placement.newBuilder()
                    .setNodeId("n-1")
                    .setNodeName("gpu-box-1")
                    .addDeviceIndices(2)
                    .addDeviceIndices(3)
                    .addDeviceUuids("GPU-a")
                    .addDeviceUuids("GPU-b"))
            .addTransitions(
                io.gpupool.proto.v1.StateTransition.newBuilder()
                    .setState(io.gpupool.proto.v1.TaskState.TASK_STATE_PENDING)
                    .setReason("waiting for 2 GPUs")
                    .setTime(Protos.time(0)))
            .setProgress(Protos.progress("t-7", 4, 50).getProgress())
            .setRequestId("r-1")
            .setCancelRequested(true)
            .build();
    fake.onGet = request -> GetTaskResponse.newBuilder().setTask(proto).build();

    Task task = client.getTask("t-7");

    assertThat(fake.gets.get(0).getId()).isEqualTo("t-7");
    assertThat(task.id()).isEqualTo("t-7");
    assertThat(task.name()).isEqualTo("train");
    assertThat(task.state()).isEqualTo(TaskState.FAILED);
    assertThat(task.isTerminal()).isTrue();
    assertThat(task.reason()).isEqualTo("exit code 137");
    assertThat(task.gpus()).isEqualTo(1);
    assertThat(task.createTime()).isEqualTo(Protos.T0);
    assertThat(task.startTime()).contains(Protos.T0.plusSeconds(1));
    assertThat(task.endTime()).contains(Protos.T0.plusSeconds(9));
    assertThat(task.placement())
        .contains(new Placement("n-1", "gpu-box-1", List.of(2, 3), List.of("GPU-a", "GPU-b")));
    assertThat(task.exitCode()).hasValue(137);
    assertThat(task.resultMessage()).isEqualTo("killed");
    assertThat(task.transitions())
        .containsExactly(new StateTransition(TaskState.PENDING, "waiting for 2 GPUs", Protos.T0));
    assertThat(task.progress()).hasValueSatisfying(p -> assertThat(p.percent()).hasValue(50));
    assertThat(task.cancelRequested()).isTrue();
    assertThat(task.requestId()).isEqualTo("r-1");
  }

  @Test
  void pendingTaskHasNoTimesPlacementOrExitCode() {
    fake.onGet =
        request ->
            GetTaskResponse.newBuilder()
                .setTask(Protos.task("t-1", io.gpupool.proto.v1.TaskState.TASK_STATE_PENDING))
                .build();

    Task task = client.getTask("t-1");

    assertThat(task.state()).isEqualTo(TaskState.PENDING);
    assertThat(task.startTime()).isEmpty();
    assertThat(task.endTime()).isEmpty();
    assertThat(task.placement()).isEmpty();
    assertThat(task.exitCode()).isEmpty();
    assertThat(task.progress()).isEmpty();
  }

  @Test
  void listTasksSendsFilterAndPagingAndMapsThePage() {
    fake.onList =
        request ->
            ListTasksResponse.newBuilder()
                .addTasks(Protos.task("t-3", io.gpupool.proto.v1.TaskState.TASK_STATE_RUNNING))
                .addTasks(Protos.task("t-4", io.gpupool.proto.v1.TaskState.TASK_STATE_PENDING))
                .setNextPageToken("after-t-4")
                .build();

    TaskPage page =
        client.listTasks(
            TaskQuery.builder()
                .states(TaskState.PENDING, TaskState.RUNNING)
                .pageSize(2)
                .pageToken("after-t-2")
                .build());

    ListTasksRequest request = fake.lists.get(0);
    assertThat(request.getStatesList())
        .containsExactly(
            io.gpupool.proto.v1.TaskState.TASK_STATE_PENDING,
            io.gpupool.proto.v1.TaskState.TASK_STATE_RUNNING);
    assertThat(request.getPageSize()).isEqualTo(2);
    assertThat(request.getPageToken()).isEqualTo("after-t-2");
    assertThat(page.tasks()).extracting(Task::id).containsExactly("t-3", "t-4");
    assertThat(page.nextPageToken()).contains("after-t-4");
  }

  @Test
  void lastPageHasNoNextPageTokenAndAnEmptyQuerySendsNoFilter() {
    TaskPage page = client.listTasks(TaskQuery.all());

    assertThat(fake.lists.get(0)).isEqualTo(ListTasksRequest.getDefaultInstance());
    assertThat(page.tasks()).isEmpty();
    assertThat(page.nextPageToken()).isEmpty();
  }

  @Test
  void cancelSendsTheIdAndReturnsTheTask() {
    fake.onCancel =
        request ->
            CancelTaskResponse.newBuilder()
                .setTask(
                    Protos.task(request.getId(), io.gpupool.proto.v1.TaskState.TASK_STATE_RUNNING)
                        .toBuilder()
                        .setCancelRequested(true))
                .build();

    Task task = client.task("t-5").cancel();

    assertThat(fake.cancels.get(0).getId()).isEqualTo("t-5");
    assertThat(task.state()).isEqualTo(TaskState.RUNNING);
    assertThat(task.cancelRequested()).isTrue();
  }

  @Test
  void cancelOfAnEndedTaskFailsWithFailedPrecondition() {
    fake.onCancel =
        request -> {
          throw Status.FAILED_PRECONDITION
              .withDescription("task t-5 already ended (SUCCEEDED)")
              .asRuntimeException();
        };

    assertThatThrownBy(() -> client.cancel("t-5"))
        .isInstanceOfSatisfying(
            GpuPoolException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.FAILED_PRECONDITION);
              assertThat(e.getMessage()).isEqualTo("task t-5 already ended (SUCCEEDED)");
            });
  }

  @Test
  void listNodesMapsNodesAndGpus() {
    fake.onListNodes =
        request ->
            ListNodesResponse.newBuilder()
                .addNodes(
                    io.gpupool.proto.v1.Node.newBuilder()
                        .setId("n-1")
                        .setName("gpu-box-1")
                        .setState(io.gpupool.proto.v1.NodeState.NODE_STATE_READY)
                        .setAgentVersion("0.1.0")
                        .setLastHeartbeatTime(Protos.time(5))
                        .addGpus(
                            io.gpupool.proto.v1.Gpu.newBuilder()
                                .setInfo(
                                    DeviceInfo.newBuilder()
                                        .setIndex(0)
                                        .setUuid("GPU-a")
                                        .setModel("NVIDIA H100 80GB HBM3")
                                        .setMemoryTotalBytes(80L << 30))
                                .setStatus(
                                    DeviceStatus.newBuilder()
                                        .setIndex(0)
                                        .setUtilizationPercent(97.5)
                                        .setMemoryUsedBytes(40L << 30)
                                        .setPowerWatts(650)
                                        .setTemperatureCelsius(71)
                                        .setHealthy(true))
                                .setTaskId("t-3"))
                        .addGpus(
                            io.gpupool.proto.v1.Gpu.newBuilder()
                                .setInfo(
                                    DeviceInfo.newBuilder()
                                        .setIndex(1)
                                        .setUuid("SIM-b")
                                        .setModel("sim")
                                        .setSimulated(true))))
                .build();

    List<Node> nodes = client.listNodes();

    assertThat(nodes)
        .containsExactly(
            new Node(
                "n-1",
                "gpu-box-1",
                NodeState.READY,
                List.of(
                    new Gpu(
                        0,
                        "GPU-a",
                        "NVIDIA H100 80GB HBM3",
                        80L << 30,
                        false,
                        "",
                        "",
                        java.util.Optional.of(
                            new GpuStatus(
                                OptionalDouble.of(97.5),
                                OptionalDouble.empty(),
                                OptionalLong.of(40L << 30),
                                OptionalDouble.of(650),
                                OptionalDouble.empty(),
                                OptionalDouble.of(71),
                                OptionalLong.empty(),
                                OptionalLong.empty(),
                                OptionalInt.empty(),
                                List.of(),
                                true,
                                "")),
                        java.util.Optional.of("t-3"),
                        java.util.Optional.empty(),
                        List.of()),
                    new Gpu(
                        1,
                        "SIM-b",
                        "sim",
                        0,
                        true,
                        "",
                        "",
                        java.util.Optional.empty(),
                        java.util.Optional.empty(),
                        java.util.Optional.empty(),
                        List.of())),
                java.util.Optional.empty(),
                java.util.Optional.of(Instant.parse("2026-11-02T10:00:05Z")),
                "0.1.0",
                "",
                ""));
  }

  @Test
  void aCallSlowerThanCallTimeoutFailsWithDeadlineExceeded() {
    client.close();
    client = controller.clientBuilder().callTimeout(Duration.ofMillis(200)).build();
    fake.hangUnaryCalls = true;

    assertThatThrownBy(() -> client.getTask("t-1"))
        .isInstanceOfSatisfying(
            GpuPoolException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.DEADLINE_EXCEEDED);
              assertThat(e.getMessage()).startsWith("GetTask took longer than callTimeout PT0.2S");
            });
  }

  @Test
  void aHandleForAnExistingTaskMakesNoCallUntilUsed() {
    fake.onGet =
        request ->
            GetTaskResponse.newBuilder()
                .setTask(
                    Protos.task(request.getId(), io.gpupool.proto.v1.TaskState.TASK_STATE_RUNNING))
                .build();

    TaskHandle handle = client.task("t-9");

    assertThat(handle.id()).isEqualTo("t-9");
    assertThat(fake.gets).isEmpty();
    assertThat(handle.get().state()).isEqualTo(TaskState.RUNNING);
    assertThat(fake.gets).hasSize(1);
  }

  @Test
  void aClosedClientRejectsCallsAndLeavesTheGivenChannelOpen() {
    client.close();

    assertThatThrownBy(() -> client.getTask("t-1"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("the gpupool client is closed");
    assertThat(controller.channel.isShutdown()).isFalse();
  }

  @Test
  void aClosedClientForATargetRejectsLaterCalls() {
    GpuPoolClient own = GpuPoolClient.builder().target("localhost:1").build();

    own.close();

    assertThatThrownBy(own::listNodes).isInstanceOf(IllegalStateException.class);
    assertThat(own.options().target()).contains("localhost:1");
  }
}
