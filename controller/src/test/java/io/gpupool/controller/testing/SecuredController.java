package io.gpupool.controller.testing;

import io.gpupool.controller.Controller;
import io.gpupool.controller.ControllerConfig;
import io.gpupool.proto.v1.AdminServiceGrpc;
import io.gpupool.proto.v1.AgentServiceGrpc;
import io.gpupool.proto.v1.CreateTokenRequest;
import io.gpupool.proto.v1.DeviceInfo;
import io.gpupool.proto.v1.RegisterRequest;
import io.gpupool.proto.v1.Role;
import io.gpupool.proto.v1.SchedulerServiceGrpc;
import io.gpupool.proto.v1.SubmitTaskRequest;
import io.gpupool.proto.v1.Task;
import io.gpupool.proto.v1.TaskSpec;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.function.UnaryOperator;

/**
 * A controller on loopback with authentication on (as {@code gpupool controller} runs it), a clock
 * the test moves, its first admin token, and stubs that present a given token. Not thread-safe.
 */
public final class SecuredController implements AutoCloseable {
  public static final String JOIN_TOKEN = "static-join-token";

  public final MutableClock clock;
  public final Path dataDir;
  public final Controller controller;
  public final String adminSecret;
  private final ManagedChannel channel;

  private SecuredController(MutableClock clock, Path dataDir, Controller controller)
      throws IOException {
    this.clock = clock;
    this.dataDir = dataDir;
    this.controller = controller;
    this.adminSecret = ControllerProbe.adminToken(dataDir);
    this.channel =
        Grpc.newChannelBuilderForAddress(
                "127.0.0.1", controller.grpcPort(), InsecureChannelCredentials.create())
            .build();
  }

  /** Starts one in {@code dataDir}, with the tweaks of {@code config} (e.g. a rate limit). */
  public static SecuredController start(
      Path dataDir, UnaryOperator<ControllerConfig.Builder> config) throws IOException {
    MutableClock clock = new MutableClock(Instant.parse("2026-11-03T12:00:00Z"));
    Controller controller =
        Controller.start(
            config
                .apply(
                    ControllerConfig.builder()
                        .insecure(true)
                        .host("127.0.0.1")
                        .grpcPort(0)
                        .httpPort(-1)
                        .dataDir(dataDir)
                        .joinToken(JOIN_TOKEN)
                        .clock(clock))
                .build());
    try {
      return new SecuredController(clock, dataDir, controller);
    } catch (IOException | RuntimeException e) {
      controller.close();
      throw e;
    }
  }

  /** The scheduler API as the holder of {@code secret}; null sends no token. */
  public SchedulerServiceGrpc.SchedulerServiceBlockingStub scheduler(String secret) {
    SchedulerServiceGrpc.SchedulerServiceBlockingStub stub =
        SchedulerServiceGrpc.newBlockingStub(channel);
    return secret == null ? stub : stub.withCallCredentials(BearerToken.of(secret));
  }

  /** The admin API as the holder of {@code secret}; null sends no token. */
  public AdminServiceGrpc.AdminServiceBlockingStub admin(String secret) {
    AdminServiceGrpc.AdminServiceBlockingStub stub = AdminServiceGrpc.newBlockingStub(channel);
    return secret == null ? stub : stub.withCallCredentials(BearerToken.of(secret));
  }

  /** The agent API, without a bearer token (agents send none). */
  public AgentServiceGrpc.AgentServiceBlockingStub agent() {
    return AgentServiceGrpc.newBlockingStub(channel);
  }

  /** The channel the stubs use. */
  public ManagedChannel channel() {
    return channel;
  }

  /** A new token's secret, created by the admin; tenant empty for admins and agents. */
  public String token(Role role, String tenant) {
    return admin(adminSecret)
        .createToken(CreateTokenRequest.newBuilder().setRole(role).setTenant(tenant).build())
        .getSecret();
  }

  /** A pending task of {@code tenant}, submitted by the admin. */
  public Task submitFor(String tenant) {
    TaskSpec spec = TestSpecs.gpuTask().setTenant(tenant).build();
    return scheduler(adminSecret)
        .submitTask(SubmitTaskRequest.newBuilder().setSpec(spec).build())
        .getTask();
  }

  /** Registers node {@code id} with one GPU, joining with {@code joinToken}. */
  public void register(String id, String joinToken) {
    agent()
        .register(
            RegisterRequest.newBuilder()
                .setJoinToken(joinToken)
                .setNodeId(id)
                .setNodeName(id)
                .addDevices(
                    DeviceInfo.newBuilder()
                        .setIndex(0)
                        .setUuid("GPU-" + id)
                        .setModel("NVIDIA H100 80GB")
                        .setMemoryTotalBytes(80L << 30))
                .build());
  }

  @Override
  public void close() {
    channel.shutdownNow();
    controller.close();
  }
}
