package io.gpupool.controller.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What the default policy promises, measured through the simulator: it beats strict FIFO on the
 * public sample trace without longer maximum waits, and it does not starve a big job behind a
 * stream of small ones, which greedy first-fit does.
 */
@Timeout(120)
class PolicyComparisonTest {
  private static final Path SAMPLE =
      Path.of("src/test/resources/traces/philly_vc103959_elasticflow.csv");

  @Test
  void theDefaultBeatsStrictFifoOnTheSampleTraceWithoutLongerMaximumWaits() throws Exception {
    for (String cluster : List.of("2x8:V100", "4x8:V100")) {
      Simulator simulator = new Simulator(TraceReader.read(SAMPLE), ClusterSpec.parse(cluster));
      PolicyMetrics fifo =
          PolicyMetrics.of(simulator.run("fifo"), ClusterSpec.parse(cluster).gpus());
      PolicyMetrics byDefault =
          PolicyMetrics.of(simulator.run("default"), ClusterSpec.parse(cluster).gpus());

      assertThat(byDefault.avgJctSeconds())
          .as("average JCT on %s", cluster)
          .isLessThan(0.85 * fifo.avgJctSeconds());
      assertThat(byDefault.maxQueueDelaySeconds())
          .as("maximum queue delay on %s", cluster)
          .isLessThanOrEqualTo(fifo.maxQueueDelaySeconds());
    }
  }

  @Test
  void theDefaultDoesNotStarveABigJobBehindAStreamOfSmallOnesButFirstFitDoes() {
    // Two 2-GPU nodes, a stream of 1-GPU jobs slightly above capacity (so some are always
    // queued), and a 2-GPU job arriving once the stream has filled the cluster.
    List<TraceJob> jobs = new ArrayList<>();
    jobs.add(TraceJob.of("big", 100_500, 2, 10_000));
    for (int i = 0; i < 400; i++) {
      jobs.add(TraceJob.of("small-" + i, i * 2_000L, 1, 9_000));
    }
    Simulator simulator = new Simulator(new Trace("stream", jobs), ClusterSpec.parse("2x2:V100"));

    long greedyWait = waitOf("big", simulator.run("first-fit"));
    long defaultWait = waitOf("big", simulator.run("default"));

    assertThat(greedyWait)
        .as("first-fit starves the big job until the stream ends")
        .isGreaterThan(600_000);
    assertThat(defaultWait).as("the default reserves for it").isLessThan(100_000);
  }

  private static long waitOf(String id, SimulationResult result) {
    return result.runs().stream()
        .filter(run -> run.job().id().equals(id))
        .findFirst()
        .orElseThrow()
        .queueDelayMillis();
  }
}
