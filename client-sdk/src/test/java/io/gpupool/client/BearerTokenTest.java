package io.gpupool.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The token option: every call presents it as a bearer token, and it never shows in logs. */
@Timeout(60)
class BearerTokenTest {
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final String TOKEN = "gpt_0123456789abcdef_s3cretS3cretS3cret";

  private final FakeScheduler fake = new FakeScheduler();
  private final List<String> authorizations = new CopyOnWriteArrayList<>();
  private Server server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    String name = InProcessServerBuilder.generateName();
    ServerInterceptor recordHeaders =
        new ServerInterceptor() {
          @Override
          public <Q, R> ServerCall.Listener<Q> interceptCall(
              ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            String value = headers.get(AUTHORIZATION);
            authorizations.add(value == null ? "(none)" : value);
            return next.startCall(call, headers);
          }
        };
    server =
        InProcessServerBuilder.forName(name)
            .addService(ServerInterceptors.intercept(fake, recordHeaders))
            .build()
            .start();
    channel = InProcessChannelBuilder.forName(name).build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow();
    server.shutdownNow();
    server.awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void everyCallCarriesTheTokenAsABearerToken() {
    fake.history.put(
        "t-1",
        List.of(Protos.stateChange("t-1", 1, io.gpupool.proto.v1.TaskState.TASK_STATE_SUCCEEDED)));
    try (GpuPoolClient client = GpuPoolClient.builder().channel(channel).token(TOKEN).build()) {
      client.submit(TaskSpec.builder().command("true").build());
      client.listNodes();
      try (TaskEventStream events = client.task("t-1").events()) {
        events.forEach(e -> {});
      }
    }

    assertThat(authorizations).hasSize(3).containsOnly("Bearer " + TOKEN);
  }

  @Test
  void withoutATokenCallsCarryNone() {
    try (GpuPoolClient client = GpuPoolClient.builder().channel(channel).build()) {
      client.listNodes();
    }

    assertThat(authorizations).containsExactly("(none)");
  }

  @Test
  void refusalsBecomeTheirErrorCodesWithTheControllersMessageAndAreNotRetried() {
    fake.failures.add(Status.UNAUTHENTICATED.withDescription("this call needs a token"));
    fake.failures.add(Status.PERMISSION_DENIED.withDescription("needs role admin"));
    fake.failures.add(Status.RESOURCE_EXHAUSTED.withDescription("rate limit of 200 requests/s"));
    try (GpuPoolClient client = GpuPoolClient.builder().channel(channel).token(TOKEN).build()) {
      assertThatThrownBy(client::listNodes)
          .isInstanceOfSatisfying(
              GpuPoolException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHENTICATED))
          .hasMessage("this call needs a token");
      assertThatThrownBy(client::listNodes)
          .isInstanceOfSatisfying(
              GpuPoolException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.PERMISSION_DENIED))
          .hasMessage("needs role admin");
      assertThatThrownBy(client::listNodes)
          .isInstanceOfSatisfying(
              GpuPoolException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_EXHAUSTED));
    }
    assertThat(authorizations).hasSize(3);
  }

  @Test
  void theOptionsNeverShowTheToken() {
    GpuPoolClientOptions options =
        GpuPoolClient.builder().target("localhost:7070").token(TOKEN).buildOptions();

    assertThat(options.toString()).contains("token=(set)").doesNotContain("s3cret");
    assertThat(options.token()).contains(TOKEN);
    assertThat(options.toBuilder().buildOptions().token()).contains(TOKEN);
    assertThat(GpuPoolClient.builder().target("localhost:7070").buildOptions().toString())
        .contains("token=(none)");
  }

  @Test
  void aTokenThatCannotBeAHeaderIsRejected() {
    for (String bad : new String[] {"", "two words", "line\nbreak", "caf\u00e9"}) {
      assertThatThrownBy(() -> GpuPoolClient.builder().target("localhost:7070").token(bad).build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "invalid client options: token must be non-empty printable ASCII without spaces (as"
                  + " gpupool token create prints it)");
    }
    assertThatThrownBy(() -> GpuPoolClient.builder().token(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("token");
  }
}
