package io.gpupool.agent.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gpupool.agent.device.SimulateSpec;
import io.gpupool.agent.device.SimulatedBackend;
import io.gpupool.agent.session.DisconnectLimitTest.ManualClock;
import io.gpupool.agent.session.DisconnectLimitTest.RecordingCommands;
import io.gpupool.proto.v1.AgentServiceGrpc;
import io.gpupool.proto.v1.ConnectRequest;
import io.gpupool.proto.v1.ConnectResponse;
import io.gpupool.proto.v1.HelloAccepted;
import io.gpupool.proto.v1.RegisterRequest;
import io.gpupool.proto.v1.RegisterResponse;
import io.gpupool.proto.v1.TaskEnded;
import io.gpupool.proto.v1.TaskResult;
import io.gpupool.proto.v1.TaskUpdate;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The session with {@code stopWorkAfterDisconnect}: the outage starts when an accepted stream
 * breaks, is measured on the session's clock, and ends with the next accepted hello.
 */
@Timeout(60)
class AgentSessionDisconnectTest {

  private static final Duration LIMIT = Duration.ofSeconds(20);

  /** Long enough for a few of the session's checks (every 1 s for this limit) to have run. */
  private static final Duration QUIET = Duration.ofMillis(1500);

  private final ManualClock clock = new ManualClock();
  private final RecordingCommands commands = new RecordingCommands(Set.of("t1"));
  private final Controller controller = new Controller();
  private Server server;
  private ManagedChannel channel;
  private AgentSession session;

  @BeforeEach
  void start() throws Exception {
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).addService(controller).build().start();
    channel = InProcessChannelBuilder.forName(name).build();
    session =
        new AgentSession(
            new SessionSettings(
                "node-1",
                "n1",
                "token",
                "test",
                Duration.ofSeconds(1),
                Duration.ofSeconds(1),
                Duration.ofMillis(10),
                Duration.ofMillis(50),
                Map.of(),
                Optional.of(LIMIT)),
            channel,
            new SimulatedBackend(SimulateSpec.parse("1xT4-16GB"), "node-1", 1),
            commands,
            clock,
            new Random(1),
            null);
    session.start().get();
    await().atMost(Duration.ofSeconds(5)).until(session::isConnected);
  }

  @AfterEach
  void stop() {
    session.close();
    channel.shutdownNow();
    server.shutdownNow();
  }

  @Test
  void stopsTheRunningTasksOnceTheControllerIsAwayForTheLimitAndNotBefore() {
    controller.cut();
    await().atMost(Duration.ofSeconds(5)).until(() -> !session.isConnected());

    clock.advance(LIMIT.minusMillis(1));
    await().during(QUIET).atMost(QUIET.multipliedBy(2)).until(commands.cancelled::isEmpty);

    clock.advance(Duration.ofMillis(1));
    await().atMost(Duration.ofSeconds(5)).until(() -> commands.cancelled.contains("t1"));

    session.publish(
        TaskUpdate.newBuilder()
            .setTaskId("t1")
            .setEnded(
                TaskEnded.newBuilder()
                    .setCancelled(true)
                    .setResult(TaskResult.newBuilder().setExitCode(143)))
            .build());
    TaskUpdate queued = session.outbox().after(0).get(0);
    assertThat(queued.getEnded().getCancelled()).isFalse();
    assertThat(queued.getEnded().getResult().getReasonCode()).isEqualTo("CONTROLLER_UNREACHABLE");
  }

  @Test
  void aReconnectBeforeTheLimitKeepsTheTasksRunning() {
    controller.cut();
    await().atMost(Duration.ofSeconds(5)).until(() -> !session.isConnected());
    clock.advance(LIMIT.minusSeconds(1));

    controller.restore();
    await().atMost(Duration.ofSeconds(5)).until(session::isConnected);
    clock.advance(LIMIT.multipliedBy(3));

    await().during(QUIET).atMost(QUIET.multipliedBy(2)).until(commands.cancelled::isEmpty);
  }

  /**
   * Answers Register and every hello; while cut, breaks the open stream and refuses new ones as a
   * network partition would.
   */
  private static final class Controller extends AgentServiceGrpc.AgentServiceImplBase {
    private final AtomicReference<StreamObserver<ConnectResponse>> open = new AtomicReference<>();
    private volatile boolean cut;

    void cut() {
      cut = true;
      StreamObserver<ConnectResponse> stream = open.getAndSet(null);
      if (stream != null) {
        synchronized (stream) {
          stream.onError(Status.UNAVAILABLE.withDescription("cut").asException());
        }
      }
    }

    void restore() {
      cut = false;
    }

    @Override
    public void register(RegisterRequest request, StreamObserver<RegisterResponse> response) {
      response.onNext(
          RegisterResponse.newBuilder()
              .setNodeId(request.getNodeId())
              .setNodeCredential("cred")
              .build());
      response.onCompleted();
    }

    @Override
    public StreamObserver<ConnectRequest> connect(StreamObserver<ConnectResponse> responses) {
      if (cut) {
        responses.onError(Status.UNAVAILABLE.withDescription("cut").asException());
      } else {
        open.set(responses);
      }
      return new StreamObserver<>() {
        @Override
        public void onNext(ConnectRequest request) {
          if (request.hasHello() && !cut) {
            synchronized (responses) {
              responses.onNext(
                  ConnectResponse.newBuilder()
                      .setHelloAccepted(HelloAccepted.getDefaultInstance())
                      .build());
            }
          }
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {}
      };
    }
  }
}
