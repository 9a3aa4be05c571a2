package io.gpupool.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.Durations;
import io.gpupool.proto.v1.PriorityWeights;
import io.gpupool.proto.v1.SchedulerConfig;
import io.gpupool.proto.v1.TaskSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The scheduling-related flags and commands: submit's scheduling options, cordon, policy. */
@Timeout(30)
class SchedulingCommandsTest {
  private CliHarness cli;

  @BeforeEach
  void start() throws Exception {
    cli = new CliHarness();
  }

  @AfterEach
  void stop() throws Exception {
    cli.close();
  }

  @Test
  void submitSendsTheSchedulingOptions() {
    CliHarness.Result result =
        cli.run(
            "submit",
            "--tenant",
            "research",
            "--priority",
            "100",
            "--preemptible",
            "--gang",
            "4",
            "--estimate",
            "2h",
            "--compute-intensity",
            "0.9",
            "--time-sensitivity",
            "0.5",
            "--memory-need",
            "0.25",
            "--min-gpu-memory-gb",
            "40",
            "--node-selector",
            "zone=eu",
            "--",
            "python",
            "train.py");

    assertThat(result.exitCode()).as(result.err()).isZero();
    TaskSpec spec = cli.scheduler.submits.get(0).getSpec();
    assertThat(spec.getTenant()).isEqualTo("research");
    assertThat(spec.getPriority()).isEqualTo(100);
    assertThat(spec.getPreemptible()).isTrue();
    assertThat(spec.getGangSize()).isEqualTo(4);
    assertThat(Durations.toSeconds(spec.getRuntimeEstimate())).isEqualTo(7200);
    assertThat(spec.getHints().getComputeIntensity()).isEqualTo(0.9);
    assertThat(spec.getHints().getMemoryNeed()).isEqualTo(0.25);
    assertThat(spec.getResources().getMinGpuMemoryBytes()).isEqualTo(40L << 30);
    assertThat(spec.getResources().getNodeSelectorMap()).containsEntry("zone", "eu");
  }

  @Test
  void aFractionalShareIsAskedForByMemory() {
    CliHarness.Result ok = cli.run("submit", "--gpus", "0", "--gpu-memory-gb", "20", "--", "infer");
    CliHarness.Result bad =
        cli.run("submit", "--gpus", "2", "--gpu-memory-gb", "20", "--", "infer");

    assertThat(ok.exitCode()).as(ok.err()).isZero();
    assertThat(cli.scheduler.submits.get(0).getSpec().getResources().getGpuMemoryBytes())
        .isEqualTo(20L << 30);
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err()).contains("--gpus must be 0 or 1 with --gpu-memory-gb");
  }

  @Test
  void cordonAndUncordonNameTheNode() {
    CliHarness.Result cordon = cli.run("cordon", "gpu-7");
    CliHarness.Result uncordon = cli.run("uncordon", "gpu-7");

    assertThat(cordon.out()).contains("gpu-7 cordoned");
    assertThat(uncordon.out()).contains("gpu-7 uncordoned");
    assertThat(cli.scheduler.cordons).extracting(r -> r.getCordoned()).containsExactly(true, false);
  }

  @Test
  void policyShowsTheControllersConfiguration() {
    cli.scheduler.schedulerConfig =
        SchedulerConfig.newBuilder()
            .setPolicy("fair")
            .setPriorityWeights(
                PriorityWeights.newBuilder()
                    .setCompute(0.5)
                    .setAgingHorizon(Durations.fromSeconds(3600)))
            .putTenantMaxGpus("research", 16)
            .build();

    CliHarness.Result result = cli.run("policy");

    assertThat(result.out())
        .contains("Policy:             fair")
        .contains("research=16")
        .contains("per PT1H");
    assertThat(cli.run("policy", "-o", "json").out()).contains("\"policy\": \"fair\"");
  }
}
