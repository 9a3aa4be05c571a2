package io.gpupool.controller.api;

import io.gpupool.controller.error.ControllerException;
import io.gpupool.controller.loop.LoopEvent;
import io.gpupool.controller.loop.SchedulerLoop;
import io.gpupool.controller.state.AgentLink;
import io.gpupool.proto.v1.ConnectRequest;
import io.gpupool.proto.v1.ConnectResponse;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One agent's Connect stream: turns inbound messages into loop events and is the {@link AgentLink}
 * the loop sends commands through.
 *
 * <p>Thread-safe: inbound messages arrive on gRPC threads, outbound ones come from the loop thread;
 * outbound calls are serialized because gRPC observers are not thread-safe.
 */
final class AgentStream implements StreamObserver<ConnectRequest>, AgentLink {
  private static final Logger log = LoggerFactory.getLogger(AgentStream.class);

  private final ServerCallStreamObserver<ConnectResponse> out;
  private final SchedulerLoop loop;
  private volatile String nodeId;
  private boolean closed;

  AgentStream(ServerCallStreamObserver<ConnectResponse> out, SchedulerLoop loop) {
    this.out = out;
    this.loop = loop;
    out.setOnCancelHandler(this::ended);
  }

  @Override
  public void onNext(ConnectRequest message) {
    try {
      accept(message);
    } catch (ControllerException e) {
      // A message past the limits: the stream ends with the reason; the agent sees the field.
      fail(StatusMapper.toStatus(e).getStatus());
    }
  }

  private void accept(ConnectRequest message) {
    String node = nodeId;
    if (node == null) {
      if (!message.hasHello()) {
        fail(Status.FAILED_PRECONDITION.withDescription("the first message must be a hello"));
        return;
      }
      AgentValidator.hello(message.getHello());
      nodeId = message.getHello().getNodeId();
      CompletableFuture<Void> accepted = new CompletableFuture<>();
      accepted.whenComplete(
          (ok, error) -> {
            if (error != null) {
              fail(StatusMapper.toStatus(error).getStatus());
            }
          });
      loop.offer(new LoopEvent.Hello(message.getHello(), this, accepted));
      return;
    }
    switch (message.getKindCase()) {
      case HEARTBEAT -> {
        AgentValidator.heartbeat(message.getHeartbeat());
        loop.offer(new LoopEvent.HeartbeatReceived(node, this, message.getHeartbeat()));
      }
      case TASK_UPDATE ->
          loop.offer(
              new LoopEvent.UpdateReceived(
                  node, this, AgentValidator.trim(message.getTaskUpdate())));
      case HELLO -> fail(Status.FAILED_PRECONDITION.withDescription("hello sent twice"));
      case KIND_NOT_SET -> log.debug("empty message from node {}", node);
    }
  }

  @Override
  public void onError(Throwable t) {
    ended();
  }

  @Override
  public void onCompleted() {
    // The agent is done sending: complete our side too (first: ended() marks the stream closed),
    // or the call would stay open until the agent's deadline.
    synchronized (this) {
      if (!closed) {
        closed = true;
        try {
          out.onCompleted();
        } catch (RuntimeException e) {
          log.debug("completing the stream of node {} failed: {}", nodeId, e.toString());
        }
      }
    }
    ended();
  }

  private void ended() {
    synchronized (this) {
      closed = true;
    }
    String node = nodeId;
    if (node != null) {
      loop.offer(new LoopEvent.SessionEnded(node, this));
    }
  }

  @Override
  public synchronized void send(ConnectResponse message) {
    if (closed) {
      return;
    }
    try {
      out.onNext(message);
    } catch (RuntimeException e) {
      log.debug("sending to node {} failed: {}", nodeId, e.toString());
      closed = true;
    }
  }

  @Override
  public void close(String reason) {
    fail(Status.UNAVAILABLE.withDescription(reason));
  }

  private void fail(Status status) {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      try {
        out.onError(status.asRuntimeException());
      } catch (RuntimeException e) {
        log.debug("closing stream of node {} failed: {}", nodeId, e.toString());
      }
    }
    String node = nodeId;
    if (node != null) {
      loop.offer(new LoopEvent.SessionEnded(node, this));
    }
  }
}
