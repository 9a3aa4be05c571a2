package io.gpupool.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class AgentConfigTest {

  private static AgentConfig.Builder valid() {
    return AgentConfig.builder()
        .controllerTarget("localhost:7070")
        .joinToken("token")
        .stateDir(Path.of("/var/lib/gpupool"));
  }

  @Test
  void appliesDefaults() {
    AgentConfig config = valid().build();

    assertThat(config.heartbeatInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(config.sampleInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(config.reconnectBackoffMin()).isEqualTo(Duration.ofMillis(100));
    assertThat(config.reconnectBackoffMax()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.nodeName()).isNotBlank();
    assertThat(config.simulate()).isEmpty();
    assertThat(config.nvmlLibrary()).isEmpty();
    assertThat(config.channelFactory()).isNotNull();
    assertThat(config.clock()).isNotNull();
    assertThat(config.stopWorkAfterDisconnect()).as("tasks run on while away").isEmpty();
  }

  @Test
  void requiredOptionsAreNamed() {
    assertThatThrownBy(() -> valid().controllerTarget(null).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--controller is required");
    assertThatThrownBy(() -> valid().joinToken("").build()).hasMessage("--join-token is required");
    assertThatThrownBy(() -> valid().stateDir(null).build()).hasMessage("--state-dir is required");
  }

  @Test
  void badSimulateSpecIsRejectedNamingTheOptionAndThePart() {
    assertThatThrownBy(() -> valid().simulate("4xH100").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("--simulate: ")
        .hasMessageContaining("'4xH100'");
  }

  @Test
  void parsesTheSimulateSpec() {
    assertThat(valid().simulate("2xA100-40GB,1xT4-16GB").build().simulate())
        .hasValueSatisfying(spec -> assertThat(spec.deviceCount()).isEqualTo(3));
  }

  @Test
  void durationsMustBePositiveAndBackoffOrdered() {
    assertThatThrownBy(() -> valid().heartbeatInterval(Duration.ZERO).build())
        .hasMessageStartingWith("--heartbeat-interval must be positive");
    assertThatThrownBy(() -> valid().sampleInterval(Duration.ZERO).build())
        .hasMessageStartingWith("--sample-interval must be positive");
    assertThatThrownBy(() -> valid().reconnectBackoffMin(Duration.ofMillis(-1)).build())
        .hasMessageStartingWith("--reconnect-backoff-min must be positive");
    assertThatThrownBy(() -> valid().stopWorkAfterDisconnect(Duration.ZERO).build())
        .hasMessageStartingWith("--stop-work-after-disconnect must be positive");
    assertThatThrownBy(() -> valid().stopWorkAfterDisconnect(Duration.ofSeconds(-5)).build())
        .hasMessageStartingWith("--stop-work-after-disconnect must be positive");
    assertThatThrownBy(
            () ->
                valid()
                    .reconnectBackoffMin(Duration.ofSeconds(10))
                    .reconnectBackoffMax(Duration.ofSeconds(1))
                    .build())
        .hasMessageContaining("--reconnect-backoff-max must not be less than");
  }

  @Test
  void blankNodeNameIsRejected() {
    assertThatThrownBy(() -> valid().nodeName(" ").build()).hasMessage("--name must not be blank");
  }

  @Test
  void toStringHidesTheJoinToken() {
    assertThat(valid().joinToken("s3cret").build().toString()).doesNotContain("s3cret");
  }

  @Test
  void toBuilderKeepsEveryOption() {
    AgentConfig config =
        valid()
            .nodeName("n1")
            .simulate("1xT4-16GB")
            .stopWorkAfterDisconnect(Duration.ofSeconds(20))
            .build();

    AgentConfig copy = config.toBuilder().build();

    assertThat(copy.nodeName()).isEqualTo("n1");
    assertThat(copy.simulate()).isEqualTo(config.simulate());
    assertThat(copy.stateDir()).isEqualTo(config.stateDir());
    assertThat(copy.stopWorkAfterDisconnect()).contains(Duration.ofSeconds(20));
  }
}
