package io.gpupool.controller.testing;

import io.gpupool.proto.v1.AdminServiceGrpc;
import io.gpupool.proto.v1.SchedulerServiceGrpc;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Looks at a controller from outside, over loopback: its gRPC port, its {@code /healthz}. Close it
 * to shut down the channels it opened. Not thread-safe.
 */
public final class ControllerProbe implements AutoCloseable {
  private final List<ManagedChannel> channels = new ArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();

  /** A blocking scheduler stub on 127.0.0.1:port, without a token. */
  public SchedulerServiceGrpc.SchedulerServiceBlockingStub scheduler(int port) {
    return SchedulerServiceGrpc.newBlockingStub(channel(port));
  }

  /** A blocking scheduler stub on 127.0.0.1:port whose calls carry a bearer token. */
  public SchedulerServiceGrpc.SchedulerServiceBlockingStub scheduler(int port, String token) {
    return scheduler(port).withCallCredentials(BearerToken.of(token));
  }

  /** A blocking admin stub on 127.0.0.1:port whose calls carry a bearer token. */
  public AdminServiceGrpc.AdminServiceBlockingStub admin(int port, String token) {
    return AdminServiceGrpc.newBlockingStub(channel(port))
        .withCallCredentials(BearerToken.of(token));
  }

  /** The secret in a controller's {@code DATA_DIR/admin.token}. */
  public static String adminToken(Path dataDir) throws IOException {
    return Files.readString(dataDir.resolve("admin.token")).strip();
  }

  private ManagedChannel channel(int port) {
    ManagedChannel channel =
        Grpc.newChannelBuilderForAddress("127.0.0.1", port, InsecureChannelCredentials.create())
            .build();
    channels.add(channel);
    return channel;
  }

  /** "STATUS BODY" of GET /healthz, e.g. "503 standby". */
  public String healthz(int httpPort) throws IOException, InterruptedException {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/healthz"))
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return response.statusCode() + " " + response.body().strip();
  }

  /** Whether anything accepts TCP connections on 127.0.0.1:port. */
  public static boolean listening(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** A port nothing listens on right now. */
  public static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Override
  public void close() {
    channels.forEach(ManagedChannel::shutdownNow);
  }
}
