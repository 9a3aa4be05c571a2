package io.gpupool.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.gpupool.proto.v1.GetTaskRequest;
import io.gpupool.proto.v1.GetTaskResponse;
import io.gpupool.proto.v1.SchedulerServiceGrpc;
import io.gpupool.proto.v1.Task;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class ControllerAddressesTest {
  private final List<Server> servers = new ArrayList<>();
  private final List<ManagedChannel> channels = new ArrayList<>();

  @AfterEach
  void stop() {
    channels.forEach(ManagedChannel::shutdownNow);
    servers.forEach(Server::shutdownNow);
  }

  @Test
  void oneAddressIsPassedThroughUntouched() {
    assertThat(ControllerAddresses.grpcTarget("ctl.internal:7070")).isEqualTo("ctl.internal:7070");
    assertThat(ControllerAddresses.grpcTarget("dns:///ctl:7070")).isEqualTo("dns:///ctl:7070");
  }

  @Test
  void aListBecomesOneTargetOfTheControllerListScheme() {
    assertThat(ControllerAddresses.grpcTarget("a:7070, b:7071"))
        .isEqualTo("gpupool-controllers:///a%3A7070,b%3A7071");
  }

  @Test
  void ipv6LiteralsAreKeptInBrackets() {
    assertThat(ControllerAddresses.parse("[::1]:7070,10.0.0.2:7070"))
        .containsExactly(
            new ControllerAddresses.HostPort("::1", 7070),
            new ControllerAddresses.HostPort("10.0.0.2", 7070));
    assertThat(new ControllerAddresses.HostPort("::1", 7070).text()).isEqualTo("[::1]:7070");
  }

  @Test
  void aBadEntryIsNamedInTheError() {
    assertThatThrownBy(() -> ControllerAddresses.grpcTarget("a:7070,b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("controller address 'b' in 'a:7070,b' is not HOST:PORT");
    assertThatThrownBy(() -> ControllerAddresses.grpcTarget("a:7070,b:70700"))
        .hasMessageContaining("'b:70700'");
    assertThatThrownBy(() -> ControllerAddresses.grpcTarget("a:7070,"))
        .hasMessageContaining("controller address ''");
  }

  @Test
  void aChannelToTwoControllersUsesTheOneThatListensAndFollowsWhenItMoves() throws Exception {
    int first = freePort();
    int second = freePort();
    ManagedChannel channel = channel("127.0.0.1:" + first + ",127.0.0.1:" + second);

    Server secondServer = serve(second, "second");
    assertThat(whoAnswers(channel)).isEqualTo("second");

    secondServer.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    serve(first, "first");
    await()
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptionsInstanceOf(StatusRuntimeException.class)
        .until(() -> whoAnswers(channel), "first"::equals);
  }

  @Test
  void theFirstListedControllerWinsWhenBothListen() throws Exception {
    int first = freePort();
    int second = freePort();
    serve(first, "first");
    serve(second, "second");
    assertThat(whoAnswers(channel("127.0.0.1:" + first + ",127.0.0.1:" + second)))
        .isEqualTo("first");
  }

  @Test
  void unresolvableNamesAreSkipped() throws Exception {
    int port = freePort();
    serve(port, "only");
    assertThat(whoAnswers(channel("no-such-host.invalid:7070,127.0.0.1:" + port)))
        .isEqualTo("only");
  }

  private ManagedChannel channel(String addresses) {
    ManagedChannel channel =
        Grpc.newChannelBuilder(
                ControllerAddresses.grpcTarget(addresses), InsecureChannelCredentials.create())
            .build();
    channels.add(channel);
    return channel;
  }

  /** Asks the channel's server for a task; each test server answers with its own name as id. */
  private static String whoAnswers(ManagedChannel channel) {
    GetTaskResponse response =
        SchedulerServiceGrpc.newBlockingStub(channel)
            .withWaitForReady()
            .withDeadlineAfter(5, TimeUnit.SECONDS)
            .getTask(GetTaskRequest.getDefaultInstance());
    return response.getTask().getId();
  }

  private Server serve(int port, String name) throws IOException {
    Server server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
            .addService(
                new SchedulerServiceGrpc.SchedulerServiceImplBase() {
                  @Override
                  public void getTask(
                      GetTaskRequest request, StreamObserver<GetTaskResponse> observer) {
                    observer.onNext(
                        GetTaskResponse.newBuilder()
                            .setTask(Task.newBuilder().setId(name))
                            .build());
                    observer.onCompleted();
                  }
                })
            .build()
            .start();
    servers.add(server);
    return server;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
