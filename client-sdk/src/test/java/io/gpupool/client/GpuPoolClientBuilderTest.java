package io.gpupool.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(60)
class GpuPoolClientBuilderTest {

  @Test
  void defaultsAreSensible() {
    GpuPoolClientOptions options = GpuPoolClient.builder().target("localhost:7070").buildOptions();

    assertThat(options.target()).contains("localhost:7070");
    assertThat(options.channel()).isEmpty();
    assertThat(options.callTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(options.keepAliveTime()).isEqualTo(Duration.ofSeconds(30));
    assertThat(options.maxRetries()).isEqualTo(3);
    assertThat(options.initialBackoff()).isEqualTo(Duration.ofMillis(200));
    assertThat(options.maxBackoff()).isEqualTo(Duration.ofSeconds(5));
    assertThat(options.watchReconnectTimeout()).isEqualTo(Duration.ofMinutes(2));
  }

  @Test
  void aTargetOrAChannelIsRequired() {
    assertThatThrownBy(() -> GpuPoolClient.builder().build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("invalid client options: target is required (host:port of the controller)");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "x",
        "localhost",
        "localhost:",
        ":7070",
        "host:0",
        "host:65536",
        "host:http",
        "a b:1",
        "::1:7070",
        "a:1,",
        "a:1,b"
      })
  void aTargetThatIsNotHostPortIsRejected(String target) {
    assertThatThrownBy(() -> GpuPoolClient.builder().target(target).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "invalid client options: target must be host:port, or host:port,host:port,... for a"
                + " controller and its standbys, got '"
                + target
                + "'");
  }

  @ParameterizedTest
  @ValueSource(strings = {"a:7070,b:7070", "10.0.0.1:7070, 10.0.0.2:7070", "[::1]:1,x:2"})
  void listsOfControllersAreAccepted(String target) {
    assertThat(GpuPoolClient.builder().target(target).buildOptions().target()).contains(target);
  }

  @ParameterizedTest
  @ValueSource(strings = {"localhost:7070", "gpupool.internal:1", "10.0.0.7:65535", "[::1]:7070"})
  void hostPortTargetsAreAccepted(String target) {
    assertThat(GpuPoolClient.builder().target(target).buildOptions().target()).contains(target);
  }

  @Test
  void targetAndChannelExcludeEachOther() {
    ManagedChannel channel = InProcessChannelBuilder.forName("unused").build();
    try {
      assertThatThrownBy(
              () -> GpuPoolClient.builder().target("localhost:7070").channel(channel).build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("invalid client options: give either target or channel, not both");
    } finally {
      channel.shutdownNow();
    }
  }

  @Test
  void everyInvalidOptionIsNamedInOneMessage() {
    GpuPoolClientBuilder builder =
        GpuPoolClient.builder()
            .target("x")
            .callTimeout(Duration.ZERO)
            .keepAliveTime(Duration.ofSeconds(1))
            .maxRetries(-1)
            .initialBackoff(Duration.ofSeconds(2))
            .maxBackoff(Duration.ofSeconds(1))
            .watchReconnectTimeout(Duration.ofSeconds(-1));

    assertThatThrownBy(builder::build)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "invalid client options: target must be host:port, or host:port,host:port,... for a"
                + " controller and its standbys, got 'x'; "
                + "callTimeout must be positive, got PT0S; "
                + "keepAliveTime must be at least 10s, got PT1S; "
                + "maxRetries must be at least 0, got -1; "
                + "maxBackoff must be at least initialBackoff (PT2S), got PT1S; "
                + "watchReconnectTimeout must not be negative, got PT-1S");
  }

  @Test
  void aNonPositiveInitialBackoffIsRejected() {
    assertThatThrownBy(
            () ->
                GpuPoolClient.builder()
                    .target("localhost:7070")
                    .initialBackoff(Duration.ZERO)
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("initialBackoff must be positive, got PT0S");
  }

  @Test
  void nullIsRejectedByTheSetterNamingTheOption() {
    assertThatThrownBy(() -> GpuPoolClient.builder().callTimeout(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("callTimeout");
  }

  @Test
  void toBuilderCopiesTheOptionsAndLeavesTheOriginalUnchanged() {
    GpuPoolClientOptions options =
        GpuPoolClient.builder()
            .target("localhost:7070")
            .callTimeout(Duration.ofSeconds(5))
            .maxRetries(7)
            .buildOptions();

    GpuPoolClientOptions changed = options.toBuilder().maxRetries(1).buildOptions();

    assertThat(changed.target()).contains("localhost:7070");
    assertThat(changed.callTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(changed.maxRetries()).isEqualTo(1);
    assertThat(options.maxRetries()).isEqualTo(7);
  }

  @Test
  void buildingDoesNotConnect() {
    try (GpuPoolClient client = GpuPoolClient.builder().target("localhost:1").build()) {
      assertThat(client.options().target()).contains("localhost:1");
      assertThat(client.task("t-1").id()).isEqualTo("t-1");
    }
  }

  @Test
  void tlsFilesAreCheckedWhenTheOptionsAreBuiltNamingTheOption(@TempDir Path dir) throws Exception {
    Path missing = dir.resolve("missing.pem");
    Path notPem = Files.writeString(dir.resolve("not.pem"), "hello");
    Path rsaKey =
        Files.writeString(
            dir.resolve("rsa.key"),
            "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n");

    assertThatThrownBy(
            () ->
                GpuPoolClient.builder()
                    .target("localhost:7070")
                    .tls(missing)
                    .tlsClientCertificate(notPem, rsaKey)
                    .buildOptions())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "invalid client options: tls caFile "
                + missing
                + ": no such file; tlsClientCertificate certificateChain "
                + notPem
                + ": no PEM certificate in it (expected -----BEGIN CERTIFICATE-----);"
                + " tlsClientCertificate privateKey "
                + rsaKey
                + ": a key in the traditional RSA format; the client reads unencrypted PKCS#8"
                + " (-----BEGIN PRIVATE KEY-----): convert it with openssl pkcs8 -topk8 -nocrypt"
                + " -in "
                + rsaKey
                + " -out KEY.pem");
  }

  @Test
  void tlsWithTheJvmTrustStoreNeedsNoFileAndShowsInToString() {
    GpuPoolClientOptions options =
        GpuPoolClient.builder().target("localhost:7070").tls().buildOptions();

    assertThat(options.tls()).isTrue();
    assertThat(options.tlsCaFile()).isEmpty();
    assertThat(options.toString()).contains("tls=default trust store");
    assertThat(options.toBuilder().buildOptions().tls()).isTrue();
    assertThat(GpuPoolClient.builder().target("h:1").buildOptions().toString()).contains("tls=off");
  }

  @Test
  void tlsDoesNotApplyToTheCallersOwnChannel() {
    ManagedChannel channel = InProcessChannelBuilder.forName("tls-own-channel").build();
    try {
      assertThatThrownBy(() -> GpuPoolClient.builder().channel(channel).tls().buildOptions())
          .hasMessage(
              "invalid client options: tls applies to the channel the client opens to a target,"
                  + " not to your own channel");
    } finally {
      channel.shutdownNow();
    }
  }
}
