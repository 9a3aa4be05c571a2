package io.gpupool.controller;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import io.gpupool.controller.testing.RawCalls;
import io.gpupool.proto.v1.AgentHello;
import io.gpupool.proto.v1.AgentServiceGrpc;
import io.gpupool.proto.v1.CancelTaskRequest;
import io.gpupool.proto.v1.CommandWorkload;
import io.gpupool.proto.v1.ConnectRequest;
import io.gpupool.proto.v1.ConnectResponse;
import io.gpupool.proto.v1.DeviceInfo;
import io.gpupool.proto.v1.GetTaskRequest;
import io.gpupool.proto.v1.Heartbeat;
import io.gpupool.proto.v1.ListNodesRequest;
import io.gpupool.proto.v1.ListTaskEventsRequest;
import io.gpupool.proto.v1.ListTasksRequest;
import io.gpupool.proto.v1.NodeState;
import io.gpupool.proto.v1.RegisterRequest;
import io.gpupool.proto.v1.RegisterResponse;
import io.gpupool.proto.v1.Resources;
import io.gpupool.proto.v1.SchedulerServiceGrpc;
import io.gpupool.proto.v1.SubmitTaskRequest;
import io.gpupool.proto.v1.Task;
import io.gpupool.proto.v1.TaskSpec;
import io.gpupool.proto.v1.TaskStarted;
import io.gpupool.proto.v1.TaskState;
import io.gpupool.proto.v1.TaskUpdate;
import io.gpupool.proto.v1.WatchTaskRequest;
import io.grpc.ClientCall;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;
import org.awaitility.Awaitility;

/**
 * Throws random and malformed client and agent messages at a running controller (the real gRPC
 * server over loopback, the real loop and H2 store). Every call must end with a status within its
 * deadline, never UNKNOWN or INTERNAL; after every try the controller still reports SERVING and the
 * tasks submitted before the fuzzing are unchanged: a pending one, and one running on a node whose
 * session the fuzzer cannot take over.
 *
 * <p>jqwik does not run JUnit Jupiter's @Timeout: every call carries a deadline instead, and the
 * tries are bounded.
 */
class HostileInputFuzzTest {
  private static final String JOIN_TOKEN = "fuzz-join-token";
  private static final Duration DEADLINE = Duration.ofSeconds(10);
  private static final Set<Status.Code> NEVER =
      EnumSet.of(
          Status.Code.UNKNOWN,
          Status.Code.INTERNAL,
          Status.Code.DEADLINE_EXCEEDED,
          Status.Code.UNAVAILABLE,
          Status.Code.CANCELLED,
          Status.Code.DATA_LOSS);

  private static Path dir;
  private static Controller controller;
  private static ManagedChannel channel;
  private static SchedulerServiceGrpc.SchedulerServiceBlockingStub scheduler;
  private static AgentServiceGrpc.AgentServiceBlockingStub agents;
  private static StreamObserver<ConnectRequest> witnessStream;
  private static String fuzzNodeCredential;
  private static List<Task> witnesses;

  @BeforeContainer
  static void startControllerWithWitnessTasks() throws IOException {
    dir = Files.createTempDirectory("gpupool-fuzz");
    controller =
        Controller.start(
            ControllerConfig.builder()
                .insecure(true)
                .authentication(
                    false) // input handling is what this tests; access has its own tests
                .host("127.0.0.1")
                .grpcPort(0)
                .httpPort(-1)
                .dataDir(dir)
                .joinToken(JOIN_TOKEN)
                .heartbeatTimeout(Duration.ofMinutes(10))
                .nodeLostAfter(Duration.ofMinutes(10))
                .build());
    channel =
        Grpc.newChannelBuilderForAddress(
                "127.0.0.1", controller.grpcPort(), InsecureChannelCredentials.create())
            .build();
    scheduler = SchedulerServiceGrpc.newBlockingStub(channel);
    agents = AgentServiceGrpc.newBlockingStub(channel);

    RegisterResponse witnessNode = agents.register(registration("witness-node"));
    LinkedBlockingQueue<ConnectResponse> commands = new LinkedBlockingQueue<>();
    witnessStream =
        AgentServiceGrpc.newStub(channel)
            .connect(
                new StreamObserver<>() {
                  @Override
                  public void onNext(ConnectResponse value) {
                    commands.add(value);
                  }

                  @Override
                  public void onError(Throwable t) {}

                  @Override
                  public void onCompleted() {}
                });
    witnessStream.onNext(
        ConnectRequest.newBuilder()
            .setHello(
                AgentHello.newBuilder()
                    .setNodeId("witness-node")
                    .setNodeCredential(witnessNode.getNodeCredential())
                    .setInstanceId("witness"))
            .build());
    Task running = submit(TaskSpec.newBuilder().setName("witness-running"), "");
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> commands.stream().anyMatch(ConnectResponse::hasStartTask));
    witnessStream.onNext(
        ConnectRequest.newBuilder()
            .setTaskUpdate(
                TaskUpdate.newBuilder()
                    .setUpdateId(1)
                    .setTaskId(running.getId())
                    .setStarted(TaskStarted.getDefaultInstance()))
            .build());
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> get(running.getId()).getState() == TaskState.TASK_STATE_RUNNING);
    Task pending =
        submit(
            TaskSpec.newBuilder()
                .setName("witness-pending")
                .putLabels("team", "witness")
                .setResources(Resources.newBuilder().setGpus(1).setGpuModel("no-such-gpu")),
            "witness-request");
    witnesses = List.of(get(running.getId()), get(pending.getId()));
    fuzzNodeCredential = agents.register(registration("fuzz-node")).getNodeCredential();
  }

  @AfterContainer
  static void stopController() throws IOException {
    witnessStream.onCompleted();
    channel.shutdownNow();
    controller.close();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    }
  }

  @Property(tries = 150)
  void hostileSubmitsAreAnsweredWithAStatus(@ForAll("submits") SubmitTaskRequest request) {
    Status.Code code = codeOf(() -> scheduler().submitTask(request));
    Statistics.collect(code);

    assertThat(code)
        .isIn(Status.Code.OK, Status.Code.INVALID_ARGUMENT, Status.Code.RESOURCE_EXHAUSTED);
    assertIntact();
  }

  @Provide
  Arbitrary<SubmitTaskRequest> submits() {
    return HostileInputs.submits();
  }

  @Property(tries = 150)
  void hostileReadsAndCancelsAreAnsweredWithAStatus(
      @ForAll("clientCalls") Tuple.Tuple2<String, Message> call) {
    Message request = call.get2();
    Status.Code code =
        codeOf(
            () -> {
              if (request instanceof GetTaskRequest get) {
                return scheduler().getTask(get);
              } else if (request instanceof CancelTaskRequest cancel) {
                return scheduler().cancelTask(cancel);
              } else if (request instanceof ListTasksRequest list) {
                return scheduler().listTasks(list);
              } else if (request instanceof ListTaskEventsRequest events) {
                return scheduler().listTaskEvents(events);
              } else {
                return firstEvent((WatchTaskRequest) request);
              }
            });
    Statistics.collect(call.get1(), code);

    assertThat(code)
        .as(call.get1())
        .isIn(
            Status.Code.OK,
            Status.Code.INVALID_ARGUMENT,
            Status.Code.NOT_FOUND,
            Status.Code.FAILED_PRECONDITION);
    assertIntact();
  }

  @Provide
  Arbitrary<Tuple.Tuple2<String, Message>> clientCalls() {
    Arbitrary<String> ids =
        Arbitraries.oneOf(HostileInputs.strings(), Arbitraries.of("t-1", "t-2", "t-3", "t-99"));
    Arbitrary<String> notWitnesses = ids.filter(id -> !isWitness(id));
    return Arbitraries.oneOf(
        ids.map(id -> Tuple.of("get", GetTaskRequest.newBuilder().setId(id).build())),
        notWitnesses.map(
            id -> Tuple.of("cancel", CancelTaskRequest.newBuilder().setId(id).build())),
        Combinators.combine(
                HostileInputs.ints(), HostileInputs.strings(), HostileInputs.ints().list())
            .as(
                (size, token, states) ->
                    Tuple.of(
                        "list",
                        ListTasksRequest.newBuilder()
                            .setPageSize(size)
                            .setPageToken(token)
                            .addAllStatesValue(states)
                            .build())),
        Combinators.combine(ids, HostileInputs.ints(), HostileInputs.strings())
            .as(
                (id, size, token) ->
                    Tuple.of(
                        "events",
                        ListTaskEventsRequest.newBuilder()
                            .setId(id)
                            .setPageSize(size)
                            .setPageToken(token)
                            .build())),
        Combinators.combine(ids, HostileInputs.longs())
            .as(
                (id, after) ->
                    Tuple.of(
                        "watch",
                        WatchTaskRequest.newBuilder().setId(id).setAfterSequence(after).build())));
  }

  @Property(tries = 200)
  void malformedRequestsAreRefusedAsInvalidArgument(
      @ForAll("malformedCalls") Tuple.Tuple2<String, byte[]> call) {
    Status.Code code =
        codeOf(() -> RawCalls.call(channel, RawCalls.unary(call.get1()), call.get2(), DEADLINE));
    Statistics.collect(call.get1().substring(call.get1().indexOf('/') + 1), code);

    assertThat(code)
        .as(call.get1())
        .isIn(
            Status.Code.OK,
            Status.Code.INVALID_ARGUMENT,
            Status.Code.NOT_FOUND,
            Status.Code.FAILED_PRECONDITION,
            Status.Code.UNAUTHENTICATED);
    assertIntact();
  }

  @Provide
  Arbitrary<Tuple.Tuple2<String, byte[]>> malformedCalls() {
    String scheduler = SchedulerServiceGrpc.SERVICE_NAME + "/";
    return Arbitraries.oneOf(
        HostileInputs.malformed(validSubmit()).map(b -> Tuple.of(scheduler + "SubmitTask", b)),
        HostileInputs.malformed(GetTaskRequest.newBuilder().setId("t-1").build())
            .map(b -> Tuple.of(scheduler + "GetTask", b)),
        HostileInputs.malformed(ListTasksRequest.newBuilder().setPageSize(5).build())
            .map(b -> Tuple.of(scheduler + "ListTasks", b)),
        HostileInputs.malformed(ListNodesRequest.getDefaultInstance())
            .map(b -> Tuple.of(scheduler + "ListNodes", b)),
        // Only random bytes for cancels: they cannot spell a witness's id.
        Arbitraries.bytes()
            .array(byte[].class)
            .ofMaxSize(40)
            .filter(
                b -> !new String(b, java.nio.charset.StandardCharsets.ISO_8859_1).contains("t-"))
            .map(b -> Tuple.of(scheduler + "CancelTask", b)),
        HostileInputs.malformed(registration("fz-raw"))
            .map(b -> Tuple.of(AgentServiceGrpc.SERVICE_NAME + "/Register", b)));
  }

  @Property(tries = 150)
  void hostileRegistrationsAreAnsweredWithAStatus(
      @ForAll("registrations") RegisterRequest request) {
    Status.Code code = codeOf(() -> agents().register(request));
    Statistics.collect(code);

    // RESOURCE_EXHAUSTED: a registration past the 4 MiB message limit, refused by gRPC itself.
    assertThat(code)
        .isIn(
            Status.Code.OK,
            Status.Code.INVALID_ARGUMENT,
            Status.Code.UNAUTHENTICATED,
            Status.Code.RESOURCE_EXHAUSTED);
    assertIntact();
  }

  @Provide
  Arbitrary<RegisterRequest> registrations() {
    return HostileInputs.registrations(JOIN_TOKEN)
        .filter(r -> !r.getNodeId().equals("witness-node") && !r.getNodeId().equals("fuzz-node"));
  }

  @Property(tries = 150)
  void hostileAgentStreamsEndWithAStatus(@ForAll("sessions") List<HostileInputs.Raw> messages)
      throws Exception {
    CompletableFuture<Status> end = new CompletableFuture<>();
    ClientCall<byte[], byte[]> call =
        channel.newCall(
            RawCalls.bidi(AgentServiceGrpc.getConnectMethod().getFullMethodName()),
            io.grpc.CallOptions.DEFAULT.withDeadlineAfter(
                DEADLINE.toMillis(), TimeUnit.MILLISECONDS));
    call.start(
        new ClientCall.Listener<>() {
          @Override
          public void onClose(Status status, Metadata trailers) {
            end.complete(status);
          }
        },
        new Metadata());
    call.request(Integer.MAX_VALUE);
    for (HostileInputs.Raw message : messages) {
      call.sendMessage(message.bytes());
    }
    call.halfClose();

    Status status = end.get(DEADLINE.toMillis() + 5000, TimeUnit.MILLISECONDS);
    Statistics.collect(status.getCode());
    assertThat(status.getCode())
        .as(status.toString())
        .isIn(
            Status.Code.OK,
            Status.Code.INVALID_ARGUMENT,
            Status.Code.FAILED_PRECONDITION,
            Status.Code.UNAUTHENTICATED,
            Status.Code.RESOURCE_EXHAUSTED);
    assertIntact();
  }

  @Provide
  Arbitrary<List<HostileInputs.Raw>> sessions() {
    List<String> taskIds = witnesses.stream().map(Task::getId).toList();
    Arbitrary<HostileInputs.Raw> hello =
        HostileInputs.hellos("fuzz-node", fuzzNodeCredential)
            .map(h -> HostileInputs.Raw.of(ConnectRequest.newBuilder().setHello(h).build()));
    Arbitrary<HostileInputs.Raw> later =
        Arbitraries.frequencyOf(
            Tuple.of(
                3,
                HostileInputs.heartbeats()
                    .map(
                        h ->
                            HostileInputs.Raw.of(
                                ConnectRequest.newBuilder().setHeartbeat(h).build()))),
            Tuple.of(
                4,
                HostileInputs.taskUpdates(taskIds)
                    .map(
                        u ->
                            HostileInputs.Raw.of(
                                ConnectRequest.newBuilder().setTaskUpdate(u).build()))),
            Tuple.of(1, hello),
            Tuple.of(1, Arbitraries.just(new HostileInputs.Raw("empty", new byte[0]))),
            Tuple.of(
                1,
                HostileInputs.malformed(
                        ConnectRequest.newBuilder()
                            .setHeartbeat(Heartbeat.getDefaultInstance())
                            .build())
                    .map(b -> new HostileInputs.Raw("malformed", b))));
    Arbitrary<HostileInputs.Raw> first =
        Arbitraries.frequencyOf(Tuple.of(8, hello), Tuple.of(1, later));
    return Combinators.combine(first, later.list().ofMaxSize(5))
        .as(
            (opening, rest) -> {
              List<HostileInputs.Raw> all = new ArrayList<>();
              all.add(opening);
              all.addAll(rest);
              return all;
            });
  }

  /**
   * Opens a watch and waits a moment for its first event: a watch of an existing task from a
   * sequence not reached yet rightly waits, so running out of that moment counts as OK then.
   */
  private static Object firstEvent(WatchTaskRequest request) {
    try {
      Iterator<?> events =
          scheduler.withDeadlineAfter(500, TimeUnit.MILLISECONDS).watchTask(request);
      return events.hasNext() ? events.next() : null;
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED) {
        get(request.getId()); // the task exists (else NOT_FOUND), so the watch waits for news
        return null;
      }
      throw e;
    }
  }

  /** The controller serves, and the witnesses are as they were (their reason may change). */
  private static void assertIntact() {
    HealthCheckResponse health =
        HealthGrpc.newBlockingStub(channel)
            .withDeadlineAfter(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
            .check(HealthCheckRequest.getDefaultInstance());
    assertThat(health.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    for (Task witness : witnesses) {
      Task now = get(witness.getId());
      assertThat(now.getSpec()).isEqualTo(witness.getSpec());
      assertThat(now.getState()).isEqualTo(witness.getState());
      assertThat(now.getPlacement()).isEqualTo(witness.getPlacement());
      assertThat(now.getAttempt()).isEqualTo(witness.getAttempt());
      assertThat(now.getCancelRequested()).isFalse();
    }
    assertThat(
            scheduler().listNodes(ListNodesRequest.getDefaultInstance()).getNodesList().stream()
                .filter(n -> n.getId().equals("witness-node"))
                .map(n -> n.getState()))
        .containsExactly(NodeState.NODE_STATE_READY);
  }

  private static Status.Code codeOf(java.util.concurrent.Callable<?> call) {
    try {
      call.call();
      return Status.Code.OK;
    } catch (StatusRuntimeException e) {
      assertThat(e.getStatus().getCode()).as(e.getStatus().toString()).isNotIn(NEVER);
      return e.getStatus().getCode();
    } catch (Exception e) {
      throw new AssertionError("the call failed without a status", e);
    }
  }

  private static boolean isWitness(String id) {
    return witnesses.stream().anyMatch(w -> w.getId().equals(id));
  }

  private static SchedulerServiceGrpc.SchedulerServiceBlockingStub scheduler() {
    return scheduler.withDeadlineAfter(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static AgentServiceGrpc.AgentServiceBlockingStub agents() {
    return agents.withDeadlineAfter(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static Task get(String id) {
    return scheduler().getTask(GetTaskRequest.newBuilder().setId(id).build()).getTask();
  }

  private static Task submit(TaskSpec.Builder spec, String requestId) {
    if (!spec.hasCommand()) {
      spec.setCommand(CommandWorkload.newBuilder().addArgv("sleep").addArgv("1000"));
    }
    if (!spec.hasResources()) {
      spec.setResources(Resources.newBuilder().setGpus(1));
    }
    return scheduler()
        .submitTask(SubmitTaskRequest.newBuilder().setSpec(spec).setRequestId(requestId).build())
        .getTask();
  }

  private static SubmitTaskRequest validSubmit() {
    return SubmitTaskRequest.newBuilder()
        .setSpec(
            TaskSpec.newBuilder()
                .setName("raw")
                .setCommand(CommandWorkload.newBuilder().addArgv("true"))
                .setResources(Resources.newBuilder().setGpus(1).setGpuModel("no-such-gpu")))
        .build();
  }

  private static RegisterRequest registration(String nodeId) {
    return RegisterRequest.newBuilder()
        .setJoinToken(JOIN_TOKEN)
        .setNodeId(nodeId)
        .setNodeName(nodeId)
        .addDevices(DeviceInfo.newBuilder().setIndex(0).setUuid("GPU-" + nodeId + "-0"))
        .addDevices(DeviceInfo.newBuilder().setIndex(1).setUuid("GPU-" + nodeId + "-1"))
        .build();
  }
}
