package io.gpupool.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpupool.controller.core.Policies;
import io.gpupool.proto.v1.SchedulerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(10)
class SchedulerConfigsTest {
  @TempDir Path dir;

  @Test
  void aFileOverridesOnlyWhatItSets() throws Exception {
    Path file = dir.resolve("scheduler.json");
    Files.writeString(
        file,
        "{\"policy\": \"fair\", \"priorityWeights\": {\"compute\": 0.7},"
            + " \"tenantMaxGpus\": {\"research\": 16}, \"preemptionNotice\": \"5s\"}");

    SchedulerConfig config = SchedulerConfigs.load(file);

    assertThat(config.getPolicy()).isEqualTo("fair");
    assertThat(config.getPriorityWeights().getCompute()).isEqualTo(0.7);
    assertThat(config.getPriorityWeights().getTime()).isEqualTo(0.3);
    assertThat(config.getTenantMaxGpusMap()).containsEntry("research", 16);
    assertThat(config.getScorerWeightsMap()).containsEntry("bin-pack", 1.0);
    assertThat(SchedulerConfigs.preemptionNotice(config)).isEqualTo(Duration.ofSeconds(5));
    assertThat(SchedulerConfigs.tuning(config).tenantMaxGpus()).containsEntry("research", 16);
  }

  @Test
  void badConfigurationsNameTheField() throws Exception {
    assertThatThrownBy(
            () ->
                SchedulerConfigs.effective(SchedulerConfig.newBuilder().setPolicy("magic").build()))
        .hasMessageContaining("policy: must be one of " + String.join(", ", Policies.names()));
    assertThatThrownBy(
            () ->
                SchedulerConfigs.effective(
                    SchedulerConfig.newBuilder().putScorerWeights("luck", 1).build()))
        .hasMessageContaining("scorer_weights: unknown scorer 'luck'");
    assertThatThrownBy(
            () ->
                SchedulerConfigs.effective(
                    SchedulerConfig.newBuilder().putTenantWeights("a", 0).build()))
        .hasMessageContaining("tenant_weights: weight of a must be positive");
    Path garbage = dir.resolve("bad.json");
    Files.writeString(garbage, "{\"polcy\": \"fifo\"}");
    assertThatThrownBy(() -> SchedulerConfigs.load(garbage))
        .hasMessageContaining("--scheduler-config " + garbage + ": not a valid SchedulerConfig");
  }

  @Test
  void theIdleThresholdDefaultsToFivePercentAndMustBeAPercentage() {
    assertThat(SchedulerConfigs.idleUtilizationPercent(SchedulerConfigs.defaults())).isEqualTo(5);
    assertThat(
            SchedulerConfigs.idleUtilizationPercent(
                SchedulerConfigs.effective(
                    SchedulerConfig.newBuilder().setIdleUtilizationPercent(10).build())))
        .isEqualTo(10);
    assertThatThrownBy(
            () ->
                SchedulerConfigs.effective(
                    SchedulerConfig.newBuilder().setIdleUtilizationPercent(150).build()))
        .hasMessageContaining("idle_utilization_percent: must be between 0 and 100, got 150");
  }
}
