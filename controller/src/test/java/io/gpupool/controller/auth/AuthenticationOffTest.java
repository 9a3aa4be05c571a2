package io.gpupool.controller.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpupool.controller.Controller;
import io.gpupool.controller.ControllerConfig;
import io.gpupool.controller.testing.TestSpecs;
import io.gpupool.proto.v1.AdminServiceGrpc;
import io.gpupool.proto.v1.GetIdentityRequest;
import io.gpupool.proto.v1.ListAuditEventsRequest;
import io.gpupool.proto.v1.Role;
import io.gpupool.proto.v1.SchedulerServiceGrpc;
import io.gpupool.proto.v1.SubmitTaskRequest;
import io.gpupool.proto.v1.Token;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Embedders may turn authentication off; then every caller is an admin, and still audited. */
@Timeout(60)
class AuthenticationOffTest {
  @TempDir Path dir;

  @Test
  void withoutAuthenticationCallsNeedNoTokenAndNoAdminTokenIsWritten() throws Exception {
    ControllerConfig config =
        ControllerConfig.builder()
            .insecure(true)
            .host("127.0.0.1")
            .grpcPort(0)
            .httpPort(-1)
            .dataDir(dir.resolve("data"))
            .joinToken("join")
            .authentication(false)
            .build();
    assertThat(
            ControllerConfig.builder()
                .insecure(true)
                .dataDir(dir)
                .joinToken("j")
                .build()
                .authentication())
        .as("on by default")
        .isTrue();
    try (Controller controller = Controller.start(config)) {
      ManagedChannel channel =
          Grpc.newChannelBuilderForAddress(
                  "127.0.0.1", controller.grpcPort(), InsecureChannelCredentials.create())
              .build();
      try {
        SchedulerServiceGrpc.newBlockingStub(channel)
            .submitTask(
                SubmitTaskRequest.newBuilder()
                    .setSpec(TestSpecs.gpuTask().setTenant("team-a"))
                    .build());
        AdminServiceGrpc.AdminServiceBlockingStub admin = AdminServiceGrpc.newBlockingStub(channel);
        Token me = admin.getIdentity(GetIdentityRequest.getDefaultInstance()).getToken();

        assertThat(me.getRole()).isEqualTo(Role.ROLE_ADMIN);
        assertThat(me.getDescription()).contains("authentication is off");
        assertThat(
                admin.listAuditEvents(ListAuditEventsRequest.getDefaultInstance()).getEventsList())
            .singleElement()
            .satisfies(e -> assertThat(e.getMethod()).endsWith("SubmitTask"));
        assertThat(dir.resolve("data/admin.token")).doesNotExist();
      } finally {
        channel.shutdownNow();
      }
    }
  }
}
