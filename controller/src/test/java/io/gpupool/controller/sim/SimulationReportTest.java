package io.gpupool.controller.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class SimulationReportTest {

  private static TraceJob job(String id, long at, int gpus, long runs, String tenant) {
    return new TraceJob(id, at * 1000, gpus, runs * 1000, "", "", tenant, 0, Optional.empty(), 0);
  }

  @Test
  void jsonHasEveryMetricInAFixedOrderAndFormat() {
    Trace trace =
        new Trace(
            "tiny \"trace\".csv",
            List.of(
                job("a", 0, 1, 10, "ann"),
                job("b", 0, 1, 5, "bob"),
                job("c", 1, 2, 5, ""),
                job("d", 2, 4, 1, "ann")));
    Simulator simulator = new Simulator(trace, ClusterSpec.parse("1x2:V100"));
    SimulationReport report = SimulationReport.of(simulator, List.of(simulator.run("fifo")));

    // a 0-10 and b 0-5 on the two GPUs; c (2 GPUs) 10-15; d needs 4 of 2: unschedulable.
    // Bounds: 25 GPU-s on 2 GPUs; fluid SRPT at speed 2 ends b, a, c at 2.5, 7.5, 12.5 (c came at
    // 1).
    assertThat(report.toJson())
        .isEqualTo(
            """
            {
              "trace": {
                "file": "tiny \\"trace\\".csv",
                "jobs": 4
              },
              "cluster": {
                "spec": "1x2:V100",
                "gpus": 2
              },
              "lower_bounds": {
                "makespan_s": 12.5,
                "avg_jct_s": 7.2
              },
              "results": [
                {
                  "policy": "fifo",
                  "jobs": 3,
                  "unschedulable": 1,
                  "unfinished": 0,
                  "avg_jct_s": 9.7,
                  "p50_jct_s": 10.0,
                  "p95_jct_s": 14.0,
                  "p99_jct_s": 14.0,
                  "makespan_s": 15.0,
                  "avg_queue_delay_s": 3.0,
                  "max_queue_delay_s": 9.0,
                  "gpu_utilization": 0.833,
                  "per_tenant": {
                    "ann": {
                      "jobs": 1,
                      "avg_jct_s": 10.0,
                      "avg_queue_delay_s": 0.0,
                      "gpu_hours": 0.003,
                      "p50_queue_delay_s": 0.0,
                      "p95_queue_delay_s": 0.0,
                      "p50_run_s": 10.0,
                      "p95_run_s": 10.0
                    },
                    "bob": {
                      "jobs": 1,
                      "avg_jct_s": 5.0,
                      "avg_queue_delay_s": 0.0,
                      "gpu_hours": 0.001,
                      "p50_queue_delay_s": 0.0,
                      "p95_queue_delay_s": 0.0,
                      "p50_run_s": 5.0,
                      "p95_run_s": 5.0
                    },
                    "default": {
                      "jobs": 1,
                      "avg_jct_s": 14.0,
                      "avg_queue_delay_s": 9.0,
                      "gpu_hours": 0.003,
                      "p50_queue_delay_s": 9.0,
                      "p95_queue_delay_s": 9.0,
                      "p50_run_s": 5.0,
                      "p95_run_s": 5.0
                    }
                  }
                }
              ]
            }
            """);
  }

  @Test
  void makespanBoundTakesTheLatestArrivalPlusDurationOrTheWorkStillToCome() {
    // Work bound: 40 GPU-s from t=0 on 2 GPUs ends no earlier than 20.
    assertThat(
            LowerBounds.of(List.of(job("a", 0, 2, 10, ""), job("b", 0, 2, 10, "")), 2)
                .makespanSeconds())
        .isEqualTo(20);
    // Arrival bound: the late long job ends at 100 + 50, measured from the first arrival at 10.
    assertThat(
            LowerBounds.of(List.of(job("a", 10, 1, 1, ""), job("b", 100, 1, 50, "")), 4)
                .makespanSeconds())
        .isEqualTo(140);
    // Later-work bound: 2 jobs of 2x10 GPU-s arrive at 50 on 2 GPUs: 50 + 20 from first arrival 0.
    assertThat(
            LowerBounds.of(
                    List.of(
                        job("a", 0, 1, 1, ""), job("b", 50, 2, 10, ""), job("c", 50, 2, 10, "")),
                    2)
                .makespanSeconds())
        .isEqualTo(70);
  }

  @Test
  void averageJctBoundIsTheMeanDurationOrTheFluidSrptFlowTime() {
    // Plenty of GPUs: the mean duration.
    assertThat(
            LowerBounds.of(List.of(job("a", 0, 1, 10, ""), job("b", 0, 1, 20, "")), 8)
                .avgJctSeconds())
        .isEqualTo(15);
    // One GPU: SRPT runs a (10) then b (20): flow times 10 and 30.
    assertThat(
            LowerBounds.of(List.of(job("a", 0, 1, 10, ""), job("b", 0, 1, 20, "")), 1)
                .avgJctSeconds())
        .isEqualTo(20);
    // Preemption in the relaxation: b (1 s) arrives while a (10 s) runs, and goes first.
    assertThat(
            LowerBounds.of(List.of(job("a", 0, 1, 10, ""), job("b", 5, 1, 1, "")), 1)
                .avgJctSeconds())
        .isCloseTo((11 + 1) / 2.0, within(1e-9));
  }

  @Test
  void noJobsGiveNoStatistics() {
    Simulator simulator =
        new Simulator(new Trace("none", List.of()), ClusterSpec.parse("1x1:V100"));
    SimulationReport report = SimulationReport.of(simulator, List.of(simulator.run("fifo")));

    assertThat(report.toJson())
        .contains("\"avg_jct_s\": null")
        .contains("\"gpu_utilization\": null")
        .contains("\"makespan_s\": 0.0");
  }
}
