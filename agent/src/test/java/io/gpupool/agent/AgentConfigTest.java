package io.gpupool.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpupool.agent.workload.WorkloadSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
    assertThat(config.runAs()).as("workloads run as the agent's own user").isEmpty();
    assertThat(config.agentEnvironment()).isEqualTo(System.getenv());
    assertThat(config.passEnv()).isEmpty();
    assertThat(config.outputLimits().maxTaskOutputBytes()).isEqualTo(1L << 30);
    assertThat(config.outputLimits().logLinesPerSecond()).isEqualTo(1000);
    assertThat(config.outputLimits().logBytesPerSecond()).isEqualTo(1L << 20);
  }

  @Test
  void workloadOptionsReachTheRunnerAndSurviveToBuilder() {
    AgentConfig config =
        valid()
            .runAs("nobody")
            .agentEnvironment(Map.of("PATH", "/bin", "GPUPOOL_JOIN_TOKEN", "secret"))
            .passEnv(Set.of("LD_LIBRARY_PATH"))
            .maxTaskOutputBytes(4096)
            .taskLogLinesPerSecond(10)
            .taskLogBytesPerSecond(2048)
            .build();

    for (AgentConfig c : List.of(config, config.toBuilder().build())) {
      WorkloadSettings settings = c.workloadSettings();
      assertThat(settings.runAs()).hasValue("nobody");
      assertThat(settings.agentEnvironment()).containsEntry("PATH", "/bin");
      assertThat(settings.passEnv()).containsExactly("LD_LIBRARY_PATH");
      assertThat(settings.outputLimits().maxTaskOutputBytes()).isEqualTo(4096);
      assertThat(settings.outputLimits().logLinesPerSecond()).isEqualTo(10);
      assertThat(settings.outputLimits().logBytesPerSecond()).isEqualTo(2048);
    }
    assertThat(config.toString()).contains("runAs=nobody").doesNotContain("secret");
  }

  @Test
  void badWorkloadOptionsAreRejectedNamingTheFlag() {
    assertThatThrownBy(() -> valid().runAs(" ").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--run-as must name a user");
    assertThatThrownBy(() -> valid().passEnv(Set.of("A=B")).build())
        .hasMessage("--pass-env: 'A=B' is not an environment variable name");
    assertThatThrownBy(() -> valid().maxTaskOutputBytes(0).build())
        .hasMessage("--max-task-output-bytes must be positive, got 0");
    assertThatThrownBy(() -> valid().taskLogLinesPerSecond(-1).build())
        .hasMessage("--task-log-lines-per-second must be positive, got -1");
    assertThatThrownBy(() -> valid().taskLogBytesPerSecond(0).build())
        .hasMessage("--task-log-bytes-per-second must be positive, got 0");
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
