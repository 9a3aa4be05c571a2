package io.gpupool.controller.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

@Timeout(120)
class SyntheticTraceTest {

  @Test
  void theSameSeedGivesTheSameTrace() {
    assertThat(SyntheticTrace.generate(500, 64, 0.8, 1))
        .isEqualTo(SyntheticTrace.generate(500, 64, 0.8, 1))
        .isNotEqualTo(SyntheticTrace.generate(500, 64, 0.8, 2));
  }

  @Test
  void offersTheLoadAskedFor() {
    Trace trace = SyntheticTrace.generate(20_000, 64, 0.8, 5);
    double work =
        trace.jobs().stream().mapToDouble(j -> (double) j.gpus() * j.durationMillis()).sum();
    double span = trace.jobs().get(trace.jobs().size() - 1).submitMillis();

    // Heavy-tailed durations (capped): the realized load is near, not at, the target.
    assertThat(work / span / 64).isCloseTo(0.8, within(0.15));
    assertThat(trace.jobs()).extracting(TraceJob::gpus).containsOnly(1, 2, 4, 8);
  }

  @Test
  void tenThousandJobsOnAThousandGpusRunToTheEnd() {
    Trace trace = SyntheticTrace.generate(10_000, 1000, 0.9, 42);
    Simulator simulator = new Simulator(trace, ClusterSpec.parse("125x8:A100"));

    SimulationResult result = simulator.run("fifo");

    assertThat(result.runs()).hasSize(10_000);
    assertThat(result.unfinished()).isEmpty();
  }

  /**
   * The scale target: 100k jobs on 1,000 GPUs. A benchmark, not a timed test; run it with {@code
   * -Dgpupool.sim.benchmark=true} and read the time it logs.
   */
  @Test
  @EnabledIfSystemProperty(named = "gpupool.sim.benchmark", matches = "true")
  @Timeout(600)
  void hundredThousandJobsOnAThousandGpus() {
    double load = Double.parseDouble(System.getProperty("gpupool.sim.load", "0.9"));
    Trace trace = SyntheticTrace.generate(100_000, 1000, load, 42);
    Simulator simulator = new Simulator(trace, ClusterSpec.parse("125x8:A100"));

    long start = System.nanoTime();
    SimulationResult result = simulator.run(System.getProperty("gpupool.sim.policy", "fifo"));
    long millis = (System.nanoTime() - start) / 1_000_000;

    org.slf4j.LoggerFactory.getLogger(SyntheticTraceTest.class)
        .info(
            "100k jobs on 125x8 with {}: {} ms, {} policy calls",
            result.policy(),
            millis,
            result.policyCalls());
    assertThat(result.runs()).hasSize(100_000);
  }
}
