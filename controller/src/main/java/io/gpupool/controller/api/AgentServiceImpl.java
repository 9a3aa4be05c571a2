package io.gpupool.controller.api;

import com.google.protobuf.util.Durations;
import io.gpupool.controller.auth.Authentication;
import io.gpupool.controller.auth.Roles;
import io.gpupool.controller.auth.TokenRegistry;
import io.gpupool.controller.error.ControllerException;
import io.gpupool.controller.loop.LoopEvent;
import io.gpupool.controller.loop.SchedulerLoop;
import io.gpupool.controller.state.Credentials;
import io.gpupool.proto.v1.AgentServiceGrpc;
import io.gpupool.proto.v1.ConnectRequest;
import io.gpupool.proto.v1.ConnectResponse;
import io.gpupool.proto.v1.RegisterRequest;
import io.gpupool.proto.v1.RegisterResponse;
import io.gpupool.proto.v1.Role;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * The agent API: registration with the join token (the controller's {@code --join-token}, or the
 * secret of an active agent token), then one Connect stream per agent, authenticated by the node
 * credential Register handed out.
 */
public final class AgentServiceImpl extends AgentServiceGrpc.AgentServiceImplBase {
  private final SchedulerLoop loop;
  private final String joinToken;
  private final TokenRegistry tokens;
  private final Duration heartbeatInterval;

  /**
   * @param joinToken the static join token
   * @param tokens where agent tokens are looked up; null when only the static one joins
   */
  public AgentServiceImpl(
      SchedulerLoop loop, String joinToken, TokenRegistry tokens, Duration heartbeatInterval) {
    this.loop = loop;
    this.joinToken = joinToken;
    this.tokens = tokens;
    this.heartbeatInterval = heartbeatInterval;
  }

  /** An agent service that admits only the static join token. */
  public AgentServiceImpl(SchedulerLoop loop, String joinToken, Duration heartbeatInterval) {
    this(loop, joinToken, null, heartbeatInterval);
  }

  @Override
  public void register(RegisterRequest request, StreamObserver<RegisterResponse> out) {
    try {
      admit(request.getJoinToken());
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

  /** Passes the static join token and active agent tokens; UNAUTHENTICATED saying why otherwise. */
  private void admit(String secret) {
    if (Credentials.secretsEqual(secret, joinToken)) {
      return;
    }
    String refusal =
        "join token refused: give the agent the controller's --join-token, or an agent token"
            + " (gpupool token create --role agent)";
    if (tokens != null) {
      Authentication authentication = tokens.authenticate(secret);
      if (authentication instanceof Authentication.Accepted accepted) {
        if (accepted.token().getRole() == Role.ROLE_AGENT) {
          return;
        }
        refusal =
            "join token refused: token "
                + accepted.token().getId()
                + " has role "
                + Roles.name(accepted.token().getRole())
                + "; agents join with the controller's --join-token or a token of role agent";
      } else if (authentication instanceof Authentication.Refused refused
          && !refused.tokenId().isEmpty()) {
        refusal = "join token refused: " + refused.reason();
      }
    }
    throw ControllerException.unauthenticated(refusal);
  }

  private static void validate(RegisterRequest request) {
    AgentValidator.register(request);
  }

  @Override
  public StreamObserver<ConnectRequest> connect(StreamObserver<ConnectResponse> out) {
    return new AgentStream((ServerCallStreamObserver<ConnectResponse>) out, loop);
  }
}
