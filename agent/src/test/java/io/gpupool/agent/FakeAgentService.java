package io.gpupool.agent;

import com.google.protobuf.util.Durations;
import io.gpupool.proto.v1.AgentHello;
import io.gpupool.proto.v1.AgentServiceGrpc;
import io.gpupool.proto.v1.ConnectRequest;
import io.gpupool.proto.v1.ConnectResponse;
import io.gpupool.proto.v1.HelloAccepted;
import io.gpupool.proto.v1.RegisterRequest;
import io.gpupool.proto.v1.RegisterResponse;
import io.gpupool.proto.v1.TaskUpdate;
import io.gpupool.proto.v1.UpdateAck;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A hand-written controller side of AgentService for tests: checks the join token and the node
 * credential, records every request, and lets the test send commands, ack, or break a stream.
 */
final class FakeAgentService extends AgentServiceGrpc.AgentServiceImplBase {

  private final String joinToken;
  private final AtomicInteger credentials = new AtomicInteger();
  final List<RegisterRequest> registrations = new CopyOnWriteArrayList<>();
  final List<Stream> streams = new CopyOnWriteArrayList<>();
  volatile String validCredential;
  volatile Duration heartbeatInterval;
  volatile boolean autoAck;

  FakeAgentService(String joinToken) {
    this.joinToken = joinToken;
  }

  @Override
  public void register(RegisterRequest request, StreamObserver<RegisterResponse> response) {
    if (!request.getJoinToken().equals(joinToken)) {
      response.onError(Status.UNAUTHENTICATED.withDescription("wrong join token").asException());
      return;
    }
    registrations.add(request);
    validCredential = "cred-" + credentials.incrementAndGet();
    RegisterResponse.Builder reply =
        RegisterResponse.newBuilder()
            .setNodeId(request.getNodeId())
            .setNodeCredential(validCredential);
    if (heartbeatInterval != null) {
      reply.setHeartbeatInterval(Durations.fromNanos(heartbeatInterval.toNanos()));
    }
    response.onNext(reply.build());
    response.onCompleted();
  }

  @Override
  public StreamObserver<ConnectRequest> connect(StreamObserver<ConnectResponse> responses) {
    Stream stream = new Stream(responses);
    streams.add(stream);
    return stream;
  }

  /** The newest stream; fails when none was opened. */
  Stream latest() {
    return streams.get(streams.size() - 1);
  }

  /** One Connect stream as the controller sees it. */
  final class Stream implements StreamObserver<ConnectRequest> {

    final List<ConnectRequest> received = new CopyOnWriteArrayList<>();
    private final StreamObserver<ConnectResponse> responses;
    private boolean ended; // guarded by this

    Stream(StreamObserver<ConnectResponse> responses) {
      this.responses = responses;
    }

    @Override
    public void onNext(ConnectRequest request) {
      received.add(request);
      if (received.size() == 1) {
        if (!request.hasHello()) {
          fail(Status.FAILED_PRECONDITION.withDescription("first message must be a hello"));
          return;
        }
        if (!request.getHello().getNodeCredential().equals(validCredential)) {
          fail(Status.UNAUTHENTICATED.withDescription("wrong node credential"));
          return;
        }
        send(
            ConnectResponse.newBuilder()
                .setHelloAccepted(HelloAccepted.getDefaultInstance())
                .build());
      }
      if (autoAck && request.hasTaskUpdate()) {
        ack(request.getTaskUpdate().getUpdateId());
      }
    }

    @Override
    public void onError(Throwable t) {
      end();
    }

    @Override
    public void onCompleted() {
      synchronized (this) {
        if (!ended) {
          responses.onCompleted();
        }
      }
      end();
    }

    synchronized void send(ConnectResponse response) {
      if (!ended) {
        responses.onNext(response);
      }
    }

    void ack(long updateId) {
      send(
          ConnectResponse.newBuilder()
              .setAck(UpdateAck.newBuilder().setUpdateId(updateId))
              .build());
    }

    /** Ends the stream from the controller side, as a crash or a network failure would. */
    synchronized void fail(Status status) {
      if (!ended) {
        ended = true;
        responses.onError(status.asException());
      }
    }

    synchronized boolean ended() {
      return ended;
    }

    private synchronized void end() {
      ended = true;
    }

    /** The hello that opened the stream. */
    AgentHello hello() {
      return received.get(0).getHello();
    }

    List<TaskUpdate> taskUpdates() {
      return received.stream()
          .filter(ConnectRequest::hasTaskUpdate)
          .map(ConnectRequest::getTaskUpdate)
          .toList();
    }

    long heartbeats() {
      return received.stream().filter(ConnectRequest::hasHeartbeat).count();
    }
  }
}
