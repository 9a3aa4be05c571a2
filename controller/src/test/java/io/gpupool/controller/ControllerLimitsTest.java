package io.gpupool.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.gpupool.controller.testing.RawCalls;
import io.gpupool.proto.v1.AgentHello;
import io.gpupool.proto.v1.AgentServiceGrpc;
import io.gpupool.proto.v1.ConnectRequest;
import io.gpupool.proto.v1.CudaKernelWorkload;
import io.gpupool.proto.v1.DeviceBuffer;
import io.gpupool.proto.v1.DeviceInfo;
import io.gpupool.proto.v1.DeviceStatus;
import io.gpupool.proto.v1.Dim3;
import io.gpupool.proto.v1.Heartbeat;
import io.gpupool.proto.v1.KernelArgument;
import io.gpupool.proto.v1.ListNodesRequest;
import io.gpupool.proto.v1.NodeState;
import io.gpupool.proto.v1.RegisterRequest;
import io.gpupool.proto.v1.Resources;
import io.gpupool.proto.v1.SchedulerServiceGrpc;
import io.gpupool.proto.v1.SubmitTaskRequest;
import io.gpupool.proto.v1.TaskSpec;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The limits a running controller enforces at its gRPC edge, over loopback. */
@Timeout(60)
class ControllerLimitsTest {
  private static final Duration DEADLINE = Duration.ofSeconds(10);
  private static final String SUBMIT =
      SchedulerServiceGrpc.getSubmitTaskMethod().getFullMethodName();

  @TempDir Path dir;
  private Controller controller;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
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
                .joinToken("token")
                .build());
    channel =
        Grpc.newChannelBuilderForAddress(
                "127.0.0.1", controller.grpcPort(), InsecureChannelCredentials.create())
            .maxInboundMessageSize(16 << 20)
            .build();
  }

  @AfterEach
  void stop() {
    channel.shutdownNow();
    controller.close();
  }

  @Test
  void aMessageOverFourMebibytesIsResourceExhaustedWhileTheLargestValidSubmitFits() {
    SubmitTaskRequest huge =
        SubmitTaskRequest.newBuilder()
            .setSpec(TaskSpec.newBuilder().setName("x".repeat(5 << 20)))
            .build();
    assertThatThrownBy(() -> scheduler().submitTask(huge))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
              assertThat(e.getStatus().getDescription()).contains("exceeds maximum size 4194304");
            });

    String ptx = ".version 8.0\n.target sm_90\n.entry k()\n{ ret; }\n";
    CudaKernelWorkload biggest =
        CudaKernelWorkload.newBuilder()
            .setPtx(ptx + "//" + "x".repeat((1 << 20) - ptx.length() - 2))
            .setKernel("k")
            .setGrid(Dim3.newBuilder().setX(1))
            .setBlock(Dim3.newBuilder().setX(1))
            .addArguments(
                KernelArgument.newBuilder()
                    .setBuffer(
                        DeviceBuffer.newBuilder()
                            .setSizeBytes(1 << 20)
                            .setData(ByteString.copyFrom(new byte[1 << 20]))))
            .build();
    var accepted =
        scheduler()
            .submitTask(
                SubmitTaskRequest.newBuilder()
                    .setSpec(
                        TaskSpec.newBuilder()
                            .setCudaKernel(biggest)
                            .setResources(Resources.newBuilder().setGpus(1)))
                    .build());
    assertThat(accepted.getTask().getId()).isNotEmpty();
  }

  @Test
  void requestsThatDoNotParseAreInvalidArgumentNamingTheMessage() {
    byte[] spec = lengthDelimited(1, new byte[] {'a', (byte) 0xff}); // TaskSpec.name
    byte[] invalidUtf8 = lengthDelimited(1, spec); // SubmitTaskRequest.spec
    byte[] truncated = new byte[] {0x0a, 0x05, 0x0a};
    byte[] nested = HostileInputs.nestedGroups(200);

    assertThat(rawStatus(invalidUtf8).getDescription())
        .isEqualTo(
            "the request is not a valid gpupool.v1.SubmitTaskRequest: Protocol message had"
                + " invalid UTF-8.");
    assertThat(rawStatus(truncated).getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(rawStatus(nested).getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(rawStatus(nested).getDescription()).contains("nesting");
  }

  @Test
  void registrationFieldsAreCheckedForNulAndSize() {
    RegisterRequest.Builder request =
        RegisterRequest.newBuilder()
            .setJoinToken("token")
            .setNodeId("n-1")
            .setNodeName("host\0")
            .setAgentVersion("v".repeat(129));
    for (int i = 0; i < 65; i++) {
      request.addDevices(DeviceInfo.newBuilder().setIndex(i).setUuid("GPU-" + i));
    }

    assertThatThrownBy(() -> agents().register(request.build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.getStatus().getDescription())
                  .contains(
                      "node_name: must not contain NUL (\\0)",
                      "agent_version: at most 128 characters, has 129",
                      "devices: at most 64 per node, has 65");
            });
  }

  @Test
  void anAgentThatHalfClosesItsStreamGetsItClosedAtOnce() throws Exception {
    String credential = register("n-1");

    Status end = session(hello("n-1", credential));

    assertThat(end.getCode()).isEqualTo(Status.Code.OK);
    awaitNodeState("n-1", NodeState.NODE_STATE_DISCONNECTED);
  }

  @Test
  void aStreamMessagePastTheLimitsOrUnparseableEndsTheSessionNamingTheField() throws Exception {
    String credential = register("n-1");
    Heartbeat.Builder crowded = Heartbeat.newBuilder();
    for (int i = 0; i < 65; i++) {
      crowded.addDevices(DeviceStatus.newBuilder().setIndex(0).setHealthy(true));
    }

    Status tooMany =
        session(
            hello("n-1", credential),
            ConnectRequest.newBuilder().setHeartbeat(crowded).build().toByteArray());
    Status longInstance =
        session(
            ConnectRequest.newBuilder()
                .setHello(
                    AgentHello.newBuilder()
                        .setNodeId("n-1")
                        .setNodeCredential(credential)
                        .setInstanceId("i".repeat(65)))
                .build()
                .toByteArray());
    Status garbage = session(hello("n-1", credential), new byte[] {0x12, 0x7f});

    assertThat(tooMany.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(tooMany.getDescription()).isEqualTo("heartbeat.devices: at most 64, has 65");
    assertThat(longInstance.getDescription())
        .isEqualTo("hello.instance_id: at most 64 characters, has 65");
    assertThat(garbage.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(garbage.getDescription())
        .startsWith("the request is not a valid gpupool.v1.ConnectRequest: ");
    awaitNodeState("n-1", NodeState.NODE_STATE_DISCONNECTED);
  }

  private Status rawStatus(byte[] request) {
    try {
      RawCalls.call(channel, RawCalls.unary(SUBMIT), request, DEADLINE);
      return Status.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus();
    }
  }

  /** Sends the messages on a Connect stream, half-closes it, and waits for its status. */
  private Status session(byte[]... messages) throws Exception {
    CompletableFuture<Status> end = new CompletableFuture<>();
    ClientCall<byte[], byte[]> call =
        channel.newCall(
            RawCalls.bidi(AgentServiceGrpc.getConnectMethod().getFullMethodName()),
            CallOptions.DEFAULT.withDeadlineAfter(DEADLINE.toMillis(), TimeUnit.MILLISECONDS));
    call.start(
        new ClientCall.Listener<>() {
          @Override
          public void onClose(Status status, Metadata trailers) {
            end.complete(status);
          }
        },
        new Metadata());
    call.request(Integer.MAX_VALUE);
    for (byte[] message : messages) {
      call.sendMessage(message);
    }
    call.halfClose();
    return end.get(DEADLINE.toMillis() * 2, TimeUnit.MILLISECONDS);
  }

  private String register(String nodeId) {
    return agents()
        .register(
            RegisterRequest.newBuilder()
                .setJoinToken("token")
                .setNodeId(nodeId)
                .setNodeName(nodeId)
                .addDevices(DeviceInfo.newBuilder().setIndex(0).setUuid("GPU-0"))
                .build())
        .getNodeCredential();
  }

  private static byte[] hello(String nodeId, String credential) {
    return ConnectRequest.newBuilder()
        .setHello(
            AgentHello.newBuilder()
                .setNodeId(nodeId)
                .setNodeCredential(credential)
                .setInstanceId("i-1"))
        .build()
        .toByteArray();
  }

  private void awaitNodeState(String nodeId, NodeState state) {
    Awaitility.await()
        .atMost(DEADLINE)
        .until(
            () ->
                scheduler().listNodes(ListNodesRequest.getDefaultInstance()).getNodesList().stream()
                    .filter(n -> n.getId().equals(nodeId))
                    .map(n -> n.getState())
                    .toList(),
            states -> states.equals(List.of(state)));
  }

  private static byte[] lengthDelimited(int field, byte[] payload) {
    return HostileInputs.lengthDelimited(field, payload);
  }

  private SchedulerServiceGrpc.SchedulerServiceBlockingStub scheduler() {
    return SchedulerServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
  }

  private AgentServiceGrpc.AgentServiceBlockingStub agents() {
    return AgentServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
  }
}
