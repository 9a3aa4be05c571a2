package io.gpupool.controller.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.gpupool.controller.core.Policies;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The Philly sample trace, whose lower bounds its README states. */
@Timeout(120)
class SimulatorSampleTraceTest {
  private static Trace sample;

  @BeforeAll
  static void readSample() throws Exception {
    sample = TraceReader.read(TraceReaderTest.samplePath());
  }

  private static SimulationReport everyPolicy(String cluster) {
    Simulator simulator = new Simulator(sample, ClusterSpec.parse(cluster));
    List<SimulationResult> results = new ArrayList<>();
    for (String policy : Policies.names()) {
      results.add(simulator.run(policy));
    }
    return SimulationReport.of(simulator, results);
  }

  @Test
  void lowerBoundsMatchTheTraceReadme() {
    // README: at 32 GPUs or more, makespan >= 7,914,913 s and average JCT >= 56,571 s;
    // at 16 GPUs, 9,791,898 s (work bound) and 294,065 s (fluid preemptive SRPT).
    LowerBounds big = LowerBounds.of(sample.jobs(), ClusterSpec.parse("16x8:V100").gpus());
    LowerBounds small = LowerBounds.of(sample.jobs(), ClusterSpec.parse("2x8:V100").gpus());

    assertThat(big.makespanSeconds()).isCloseTo(7_914_913, within(0.5));
    assertThat(big.avgJctSeconds()).isCloseTo(56_571, within(0.5));
    assertThat(small.makespanSeconds()).isCloseTo(9_791_898, within(0.5));
    assertThat(small.avgJctSeconds()).isCloseTo(294_065, within(0.5));
  }

  @Test
  void everyPolicyOn16x8RunsEveryJobAndRespectsTheLowerBounds() {
    SimulationReport report = everyPolicy("16x8:V100");

    assertThat(report.traceJobs()).isEqualTo(876);
    assertThat(report.cluster().gpus()).isEqualTo(128);
    for (PolicyMetrics p : report.policies()) {
      assertThat(p.jobs()).as(p.policy()).isEqualTo(876);
      assertThat(p.unschedulable() + p.unfinished()).as(p.policy()).isZero();
      assertThat(p.avgJctSeconds())
          .as(p.policy())
          .isGreaterThanOrEqualTo(report.lowerBounds().avgJctSeconds());
      assertThat(p.makespanSeconds())
          .as(p.policy())
          .isGreaterThanOrEqualTo(report.lowerBounds().makespanSeconds());
      // 154,137,879 GPU-seconds of work over 128 GPUs and the makespan.
      assertThat(p.gpuUtilization())
          .as(p.policy())
          .isCloseTo(154_137_879.0 / 128 / p.makespanSeconds(), within(1e-9));
    }
  }

  @Test
  void onAnOverloadedClusterPoliciesStayAboveTheTighterBounds() {
    SimulationReport report = everyPolicy("2x8:V100");

    for (PolicyMetrics p : report.policies()) {
      assertThat(p.jobs()).as(p.policy()).isEqualTo(876);
      assertThat(p.avgJctSeconds()).as(p.policy()).isGreaterThanOrEqualTo(294_064);
      assertThat(p.makespanSeconds()).as(p.policy()).isGreaterThanOrEqualTo(9_791_897);
      assertThat(p.gpuUtilization()).as(p.policy()).isBetween(0.0, 1.0);
    }
  }

  @Test
  void twoRunsGiveByteIdenticalReports() {
    String first = everyPolicy("8x8:V100").toJson();
    String second = everyPolicy("8x8:V100").toJson();

    assertThat(second).isEqualTo(first);
  }
}
