package io.gpupool.controller.api;

import com.google.protobuf.util.Durations;
import io.gpupool.controller.error.ControllerException;
import io.gpupool.controller.loop.LoopEvent;
import io.gpupool.controller.loop.SchedulerLoop;
import io.gpupool.controller.state.Credentials;
import io.gpupool.proto.v1.AgentServiceGrpc;
import io.gpupool.proto.v1.ConnectRequest;
import io.gpupool.proto.v1.ConnectResponse;
import io.gpupool.proto.v1.DeviceInfo;
import io.gpupool.proto.v1.RegisterRequest;
import io.gpupool.proto.v1.RegisterResponse;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/** The agent API: registration with the join token, then one Connect stream per agent. */
public final class AgentServiceImpl extends AgentServiceGrpc.AgentServiceImplBase {
  private static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  private final SchedulerLoop loop;
  private final String joinToken;
  private final Duration heartbeatInterval;

  public AgentServiceImpl(SchedulerLoop loop, String joinToken, Duration heartbeatInterval) {
    this.loop = loop;
    this.joinToken = joinToken;
    this.heartbeatInterval = heartbeatInterval;
  }

  @Override
  public void register(RegisterRequest request, StreamObserver<RegisterResponse> out) {
    try {
      if (!Credentials.secretsEqual(request.getJoinToken(), joinToken)) {
        throw ControllerException.unauthenticated(
            "join token refused: use the token the controller was started with (--join-token)");
      }
      validate(request);
    } catch (ControllerException e) {
      out.onError(StatusMapper.toStatus(e));
      return;
    }
    String credential = Credentials.generate();
    CompletableFuture<Void> reply = new CompletableFuture<>();
    loop.offer(new LoopEvent.Register(request, Credentials.hash(credential), reply));
    Rpc.answerLater(
        out,
        reply,
        ignored ->
            RegisterResponse.newBuilder()
                .setNodeId(request.getNodeId())
                .setNodeCredential(credential)
                .setHeartbeatInterval(Durations.fromMillis(heartbeatInterval.toMillis()))
                .build());
  }

  private static void validate(RegisterRequest request) {
    Violations v = Violations.of(request);
    v.check(
        NODE_ID.matcher(request.getNodeId()).matches(),
        "node_id",
        "1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit");
    v.check(!request.getNodeName().isBlank(), "node_name", "required");
    v.check(request.getNodeName().length() <= 253, "node_name", "at most 253 characters");
    Set<Integer> indices = new HashSet<>();
    for (int i = 0; i < request.getDevicesCount(); i++) {
      DeviceInfo device = request.getDevices(i);
      String field = "devices[" + i + "]";
      v.check(device.getIndex() >= 0, field + ".index", "must not be negative");
      v.check(indices.add(device.getIndex()), field + ".index", "duplicate " + device.getIndex());
      v.check(!device.getUuid().isEmpty(), field + ".uuid", "required");
      v.check(
          device.getMemoryTotalBytes() >= 0, field + ".memory_total_bytes", "must not be negative");
    }
    v.throwIfAny();
  }

  @Override
  public StreamObserver<ConnectRequest> connect(StreamObserver<ConnectResponse> out) {
    return new AgentStream((ServerCallStreamObserver<ConnectResponse>) out, loop);
  }
}
