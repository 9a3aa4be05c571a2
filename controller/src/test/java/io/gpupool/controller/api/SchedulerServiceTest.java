package io.gpupool.controller.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.UnknownFieldSet;
import io.gpupool.controller.SchedulerConfigs;
import io.gpupool.controller.core.Policies;
import io.gpupool.controller.loop.LoopEvent;
import io.gpupool.controller.loop.LoopSettings;
import io.gpupool.controller.loop.LoopThread;
import io.gpupool.controller.loop.NodeDirectory;
import io.gpupool.controller.loop.SchedulerLoop;
import io.gpupool.controller.state.Credentials;
import io.gpupool.controller.store.Changes;
import io.gpupool.controller.store.JdbcStore;
import io.gpupool.controller.store.StoredTask;
import io.gpupool.controller.testing.TestSpecs;
import io.gpupool.controller.watch.TaskEventBus;
import io.gpupool.proto.v1.CancelTaskRequest;
import io.gpupool.proto.v1.ClearGpuQuarantineRequest;
import io.gpupool.proto.v1.CommandWorkload;
import io.gpupool.proto.v1.DeviceInfo;
import io.gpupool.proto.v1.GetTaskRequest;
import io.gpupool.proto.v1.ListNodesRequest;
import io.gpupool.proto.v1.ListTaskEventsRequest;
import io.gpupool.proto.v1.ListTasksRequest;
import io.gpupool.proto.v1.RegisterRequest;
import io.gpupool.proto.v1.Resources;
import io.gpupool.proto.v1.SchedulerServiceGrpc;
import io.gpupool.proto.v1.SubmitTaskRequest;
import io.gpupool.proto.v1.Task;
import io.gpupool.proto.v1.TaskEvent;
import io.gpupool.proto.v1.TaskSpec;
import io.gpupool.proto.v1.TaskState;
import io.gpupool.proto.v1.WatchTaskRequest;
import io.gpupool.proto.v1.WatchTaskResponse;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The client API over an in-process channel, with the real loop thread and store behind it. */
@Timeout(60)
class SchedulerServiceTest {
  @TempDir Path dir;
  private JdbcStore store;
  private SchedulerLoop loop;
  private LoopThread loopThread;
  private Server server;
  private ManagedChannel channel;
  private SchedulerServiceGrpc.SchedulerServiceBlockingStub stub;

  @BeforeEach
  void start() throws Exception {
    store = JdbcStore.openH2(dir);
    TaskEventBus bus = new TaskEventBus();
    NodeDirectory nodes = new NodeDirectory();
    loop =
        new SchedulerLoop(
            Clock.systemUTC(),
            store,
            Policies.create("first-fit"),
            bus,
            nodes,
            LoopSettings.DEFAULTS);
    loopThread = new LoopThread(loop, Duration.ofMillis(100));
    loopThread.start();
    String name = InProcessServerBuilder.generateName();
    server =
        InProcessServerBuilder.forName(name)
            .directExecutor()
            .addService(
                new SchedulerServiceImpl(loop, store, bus, nodes, SchedulerConfigs.defaults()))
            .build()
            .start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    stub = SchedulerServiceGrpc.newBlockingStub(channel);
  }

  @AfterEach
  void stop() {
    channel.shutdownNow();
    server.shutdownNow();
    loopThread.close();
    store.close();
  }

  @Test
  void badSubmitsAreRefusedNamingEveryField() {
    assertInvalid(SubmitTaskRequest.getDefaultInstance(), "spec: required");
    assertInvalid(
        SubmitTaskRequest.newBuilder().setSpec(TaskSpec.newBuilder().setName("x")).build(),
        "spec.command: a workload is required",
        "spec.resources.gpus: required");
    assertInvalid(
        SubmitTaskRequest.newBuilder()
            .setSpec(
                TaskSpec.newBuilder()
                    .setCommand(CommandWorkload.getDefaultInstance())
                    .setResources(Resources.newBuilder().setGpus(-1)))
            .build(),
        "spec.command.argv: must not be empty",
        "spec.resources.gpus: must be at least 1, got -1");
    assertInvalid(
        SubmitTaskRequest.newBuilder()
            .setSpec(TestSpecs.gpuTask().setResources(Resources.newBuilder().setGpus(1000)))
            .build(),
        "spec.resources.gpus: must be at most 64");
    assertThat(stub.listTasks(ListTasksRequest.getDefaultInstance()).getTasksCount()).isZero();
  }

  @Test
  void unknownFieldsAreRefusedWithTheirPath() {
    Resources withUnknown =
        Resources.newBuilder()
            .setGpus(1)
            .setUnknownFields(
                UnknownFieldSet.newBuilder()
                    .addField(99, UnknownFieldSet.Field.newBuilder().addVarint(1).build())
                    .build())
            .build();
    assertInvalid(
        SubmitTaskRequest.newBuilder()
            .setSpec(TestSpecs.gpuTask().setResources(withUnknown))
            .build(),
        "spec.resources: unknown field number 99");
  }

  @Test
  void unknownIdsAreNotFound() {
    assertThatThrownBy(() -> stub.getTask(GetTaskRequest.newBuilder().setId("t-404").build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
              assertThat(e.getStatus().getDescription()).isEqualTo("task t-404 not found");
            });
    assertThatThrownBy(() -> stub.cancelTask(CancelTaskRequest.newBuilder().setId("t-404").build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
    assertThatThrownBy(
            () -> stub.watchTask(WatchTaskRequest.newBuilder().setId("t-404").build()).hasNext())
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
    assertThatThrownBy(() -> stub.getTask(GetTaskRequest.getDefaultInstance()))
        .hasMessageContaining("INVALID_ARGUMENT: id: required");
  }

  @Test
  void aTaskLargerThanEveryNodeStaysPendingWithAReason() {
    Task task = submit(TestSpecs.gpuTask(8), "");

    Task stored = stub.getTask(GetTaskRequest.newBuilder().setId(task.getId()).build()).getTask();
    assertThat(stored.getState()).isEqualTo(TaskState.TASK_STATE_PENDING);
    assertThat(stored.getReason()).isEqualTo("waiting for 8 GPUs: no nodes have registered");
  }

  @Test
  void listsEveryTaskAcrossPagesExactlyOnce() {
    for (int i = 0; i < 7; i++) {
      submit(TestSpecs.gpuTask(1), "");
    }
    Set<String> seen = new HashSet<>();
    String token = "";
    int pages = 0;
    do {
      var page =
          stub.listTasks(ListTasksRequest.newBuilder().setPageSize(3).setPageToken(token).build());
      page.getTasksList().forEach(t -> assertThat(seen.add(t.getId())).isTrue());
      token = page.getNextPageToken();
      pages++;
    } while (!token.isEmpty());
    assertThat(seen).hasSize(7);
    assertThat(pages).isEqualTo(3);
    assertThatThrownBy(
            () -> stub.listTasks(ListTasksRequest.newBuilder().setPageToken("garbage").build()))
        .hasMessageContaining("INVALID_ARGUMENT: page_token");
  }

  @Test
  void watchReplaysHistoryThenFollowsLiveUntilTheTaskEnds() {
    Task task = submit(TestSpecs.gpuTask(1), "");
    Iterator<WatchTaskResponse> watch =
        stub.watchTask(WatchTaskRequest.newBuilder().setId(task.getId()).build());

    TaskEvent first = watch.next().getEvent();
    assertThat(first.getStateChange().getState()).isEqualTo(TaskState.TASK_STATE_PENDING);

    stub.cancelTask(CancelTaskRequest.newBuilder().setId(task.getId()).build());
    TaskEvent second = watch.next().getEvent();
    assertThat(second.getSequence()).isEqualTo(2);
    assertThat(second.getStateChange().getState()).isEqualTo(TaskState.TASK_STATE_CANCELLED);
    assertThat(watch.hasNext()).isFalse();

    List<TaskEvent> stored =
        stub.listTaskEvents(ListTaskEventsRequest.newBuilder().setId(task.getId()).build())
            .getEventsList();
    assertThat(stored).containsExactly(first, second);
    Iterator<WatchTaskResponse> resumed =
        stub.watchTask(
            WatchTaskRequest.newBuilder().setId(task.getId()).setAfterSequence(1).build());
    assertThat(resumed.next().getEvent()).isEqualTo(second);
    assertThat(resumed.hasNext()).isFalse();
  }

  @Test
  void submitIsIdempotentOnRequestId() {
    Task first = submit(TestSpecs.gpuTask(1), "abc");
    Task again = submit(TestSpecs.gpuTask(1), "abc");
    assertThat(again.getId()).isEqualTo(first.getId());
    assertThat(stub.listTasks(ListTasksRequest.getDefaultInstance()).getTasksCount()).isEqualTo(1);
  }

  @Test
  void aWatcherThatFallsBehindIsCutOffAndResumesFromTheStoredHistory() throws Exception {
    Changes changes = new Changes();
    changes.insert(
        new StoredTask(
            999,
            Task.newBuilder().setId("t-999").setState(TaskState.TASK_STATE_RUNNING).build(),
            50));
    for (int i = 1; i <= 50; i++) {
      changes.append(
          TaskEvent.newBuilder()
              .setTaskId("t-999")
              .setSequence(i)
              .setLog(io.gpupool.proto.v1.LogLine.newBuilder().setText("line " + i))
              .build());
    }
    store.commit(changes);
    String name = InProcessServerBuilder.generateName();
    Server slowServer =
        InProcessServerBuilder.forName(name)
            .addService(
                new SchedulerServiceImpl(
                    loop,
                    store,
                    new TaskEventBus(),
                    new NodeDirectory(),
                    SchedulerConfigs.defaults(),
                    5))
            .build()
            .start();
    ManagedChannel slowChannel = InProcessChannelBuilder.forName(name).build();
    try {
      CompletableFuture<Throwable> ended = new CompletableFuture<>();
      List<TaskEvent> received = new java.util.concurrent.CopyOnWriteArrayList<>();
      SchedulerServiceGrpc.newStub(slowChannel)
          .watchTask(
              WatchTaskRequest.newBuilder().setId("t-999").build(),
              new ClientResponseObserver<WatchTaskRequest, WatchTaskResponse>() {
                @Override
                public void beforeStart(ClientCallStreamObserver<WatchTaskRequest> call) {
                  // Takes the first message only (gRPC requests one at the start) and no more.
                  call.disableAutoInboundFlowControl();
                }

                @Override
                public void onNext(WatchTaskResponse value) {
                  received.add(value.getEvent());
                }

                @Override
                public void onError(Throwable t) {
                  ended.complete(t);
                }

                @Override
                public void onCompleted() {
                  ended.complete(null);
                }
              });

      Throwable error = ended.get(30, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(error).isInstanceOf(StatusRuntimeException.class);
      Status status = ((StatusRuntimeException) error).getStatus();
      assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      long resumeAfter = received.get(received.size() - 1).getSequence();
      assertThat(status.getDescription())
          .isEqualTo("the watcher fell behind; watch again with after_sequence " + resumeAfter);

      Iterator<WatchTaskResponse> resumed =
          SchedulerServiceGrpc.newBlockingStub(slowChannel)
              .watchTask(
                  WatchTaskRequest.newBuilder()
                      .setId("t-999")
                      .setAfterSequence(resumeAfter)
                      .build());
      assertThat(resumed.next().getEvent().getSequence()).isEqualTo(resumeAfter + 1);
    } finally {
      slowChannel.shutdownNow();
      slowServer.shutdownNow();
    }
  }

  private Task submit(TaskSpec spec, String requestId) {
    return stub.submitTask(
            SubmitTaskRequest.newBuilder().setSpec(spec).setRequestId(requestId).build())
        .getTask();
  }

  @Test
  void clearGpuQuarantineSaysWhatIsWrongWithTheStatusCodeOfEachCase() {
    CompletableFuture<Void> registered = new CompletableFuture<>();
    loop.offer(
        new LoopEvent.Register(
            RegisterRequest.newBuilder()
                .setNodeId("n-1")
                .setNodeName("gpu-a")
                .addDevices(DeviceInfo.newBuilder().setIndex(0).setUuid("GPU-0"))
                .build(),
            Credentials.hash("secret"),
            registered));
    registered.join();

    assertCode(
        ClearGpuQuarantineRequest.getDefaultInstance(), Status.Code.INVALID_ARGUMENT, "node");
    assertCode(request("gpu-b", 0), Status.Code.NOT_FOUND, "node gpu-b not found");
    assertCode(request("gpu-a", 1), Status.Code.NOT_FOUND, "node gpu-a has no GPU with index 1");
    assertCode(
        request("n-1", 0), Status.Code.FAILED_PRECONDITION, "GPU 0 on gpu-a is not quarantined");
    assertThat(
            stub.listNodes(ListNodesRequest.newBuilder().setIncludeHistory(true).build())
                .getNodes(0)
                .getGpus(0)
                .getHistoryCount())
        .isZero();
  }

  private static ClearGpuQuarantineRequest request(String node, int index) {
    return ClearGpuQuarantineRequest.newBuilder().setNode(node).setDeviceIndex(index).build();
  }

  private void assertCode(ClearGpuQuarantineRequest request, Status.Code code, String message) {
    assertThatThrownBy(() -> stub.clearGpuQuarantine(request))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(code);
              assertThat(e.getStatus().getDescription()).contains(message);
            });
  }

  private void assertInvalid(SubmitTaskRequest request, String... problems) {
    assertThatThrownBy(() -> stub.submitTask(request))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.getStatus().getDescription()).contains(problems);
            });
  }
}
