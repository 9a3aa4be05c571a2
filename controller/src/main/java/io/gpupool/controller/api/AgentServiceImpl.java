package io.gpupool.controller.api;

import com.google.protobuf.util.Durations;
import io.gpupool.controller.error.ControllerException;
import io.gpupool.controller.loop.LoopEvent;
import io.gpupool.controller.loop.SchedulerLoop;
import io.gpupool.controller.state.Credentials;
import io.gpupool.proto.v1.AgentServiceGrpc;
import io.gpupool.proto.v1.ConnectRequest;
import io.gpupool.proto.v1.ConnectResponse;
import io.gpupool.proto.v1.RegisterRequest;
import io.gpupool.proto.v1.RegisterResponse;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** The agent API: registration with the join token, then one Connect stream per agent. */
public final class AgentServiceImpl extends AgentServiceGrpc.AgentServiceImplBase {
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
    AgentValidator.register(request);
  }

  @Override
  public StreamObserver<ConnectRequest> connect(StreamObserver<ConnectResponse> out) {
    return new AgentStream((ServerCallStreamObserver<ConnectResponse>) out, loop);
  }
}
