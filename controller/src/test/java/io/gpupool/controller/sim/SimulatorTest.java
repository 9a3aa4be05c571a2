package io.gpupool.controller.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpupool.controller.core.ClusterSnapshot;
import io.gpupool.controller.core.PendingTask;
import io.gpupool.controller.core.Placement;
import io.gpupool.controller.core.Plan;
import io.gpupool.controller.core.Policies;
import io.gpupool.controller.core.RunningTask;
import io.gpupool.controller.core.SchedulingPolicy;
import io.gpupool.controller.core.TaskProfile;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

@Timeout(60)
class SimulatorTest {

  /** A job arriving at {@code at} seconds that needs {@code gpus} GPUs for {@code runs} seconds. */
  private static TraceJob job(String id, long at, int gpus, long runs) {
    return TraceJob.of(id, at * 1000, gpus, runs * 1000);
  }

  private static TraceJob named(String id, long at, long runs, String name, Long estimate) {
    return new TraceJob(
        id,
        at * 1000,
        1,
        runs * 1000,
        name,
        "",
        "team",
        0,
        estimate == null ? Optional.empty() : Optional.of(Duration.ofSeconds(estimate)),
        0);
  }

  private static SimulationResult run(String cluster, String policy, TraceJob... jobs) {
    return new Simulator(new Trace("t", List.of(jobs)), ClusterSpec.parse(cluster)).run(policy);
  }

  private static List<String> runs(SimulationResult result) {
    return result.runs().stream()
        .map(r -> r.job().id() + ":" + r.startMillis() / 1000 + "-" + r.endMillis() / 1000)
        .toList();
  }

  @Test
  void twoJobsOnOneGpuRunOneAfterTheOther() {
    SimulationResult result = run("1x1:V100", "fifo", job("a", 0, 1, 10), job("b", 0, 1, 5));
    PolicyMetrics metrics = PolicyMetrics.of(result, 1);

    assertThat(runs(result)).containsExactly("a:0-10", "b:10-15");
    assertThat(metrics.jobs()).isEqualTo(2);
    assertThat(metrics.avgJctSeconds()).isEqualTo(12.5);
    assertThat(metrics.p50JctSeconds()).isEqualTo(10);
    assertThat(metrics.p99JctSeconds()).isEqualTo(15);
    assertThat(metrics.avgQueueDelaySeconds()).isEqualTo(5);
    assertThat(metrics.maxQueueDelaySeconds()).isEqualTo(10);
    assertThat(metrics.makespanSeconds()).isEqualTo(15);
    assertThat(metrics.gpuUtilization()).isEqualTo(1.0);
  }

  @Test
  void jobsWaitForFreeGpusAndIdleTimeLowersUtilization() {
    SimulationResult result =
        run(
            "1x2:V100",
            "fifo",
            job("0", 0, 2, 10),
            job("1", 1, 1, 4),
            job("2", 2, 1, 4),
            job("3", 20, 1, 5));
    PolicyMetrics metrics = PolicyMetrics.of(result, 2);

    assertThat(runs(result)).containsExactly("0:0-10", "1:10-14", "2:10-14", "3:20-25");
    assertThat(metrics.avgJctSeconds()).isEqualTo((10 + 13 + 12 + 5) / 4.0);
    assertThat(metrics.avgQueueDelaySeconds()).isEqualTo((0 + 9 + 8 + 0) / 4.0);
    assertThat(metrics.makespanSeconds()).isEqualTo(25);
    assertThat(metrics.gpuUtilization()).isEqualTo((20 + 4 + 4 + 5) / (2 * 25.0));
  }

  @Test
  void completionsAreAppliedBeforeArrivalsAtTheSameInstant() {
    SimulationResult result = run("1x1:V100", "fifo", job("a", 0, 1, 10), job("b", 10, 1, 5));

    assertThat(runs(result)).containsExactly("a:0-10", "b:10-15");
    assertThat(result.policyCalls()).isEqualTo(2);
  }

  @Test
  void thePolicyIsAskedOncePerInstantAndOnlyWhenSomethingCanStart() {
    List<Instant> calls = new ArrayList<>();
    SchedulingPolicy fifo = Policies.create("fifo");
    SchedulingPolicy recording =
        snapshot -> {
          calls.add(snapshot.now());
          return fifo.schedule(snapshot);
        };
    Trace trace =
        new Trace(
            "t",
            List.of(job("a", 0, 1, 10), job("b", 0, 1, 10), job("c", 5, 1, 1), job("d", 5, 1, 1)));

    SimulationResult result =
        new Simulator(trace, ClusterSpec.parse("1x1:V100")).run("rec", recording);

    // t=5 is skipped: the only GPU is busy, so no plan could start anything.
    assertThat(calls)
        .containsExactly(
            Instant.ofEpochSecond(0),
            Instant.ofEpochSecond(10),
            Instant.ofEpochSecond(20),
            Instant.ofEpochSecond(21));
    assertThat(result.policyCalls()).isEqualTo(4);
    assertThat(result.policy()).isEqualTo("rec");
  }

  @Test
  void aJobNoNodeCanHoldIsUnschedulableAndLeftOutOfTheStatistics() {
    Trace trace =
        new Trace(
            "t",
            List.of(
                job("big", 0, 8, 100),
                new TraceJob("a100", 0, 1, 100_000, "", "A100", "", 0, Optional.empty(), 0),
                job("ok", 1, 4, 10)));
    Simulator simulator = new Simulator(trace, ClusterSpec.parse("2x4:V100"));
    SimulationResult result = simulator.run("fifo");
    PolicyMetrics metrics = PolicyMetrics.of(result, 8);

    assertThat(result.unschedulable()).extracting(TraceJob::id).containsExactly("a100", "big");
    assertThat(simulator.schedulableJobs()).extracting(TraceJob::id).containsExactly("ok");
    assertThat(runs(result)).containsExactly("ok:1-11");
    assertThat(metrics.unschedulable()).isEqualTo(2);
    assertThat(metrics.jobs()).isEqualTo(1);
    assertThat(metrics.avgJctSeconds()).isEqualTo(10);
  }

  @Test
  void theCoreSeesEstimatesAndLearnedRuntimesButNeverTrueDurations() {
    List<ClusterSnapshot> snapshots = new ArrayList<>();
    List<Optional<Duration>> estimatesSeen = new ArrayList<>();
    SchedulingPolicy fifo = Policies.create("fifo");
    SchedulingPolicy recording =
        snapshot -> {
          snapshots.add(snapshot);
          // The estimator keeps learning after the call, so read it while the call lasts.
          estimatesSeen.add(snapshot.estimates().estimate(snapshot.queue().get(0).profile()));
          return fifo.schedule(snapshot);
        };
    Trace trace =
        new Trace(
            "t",
            List.of(
                named("1", 0, 100, "resnet", 30L),
                named("2", 0, 40, "bert", null),
                named("3", 200, 10, "bert", null)));

    new Simulator(trace, ClusterSpec.parse("1x1:V100")).run("rec", recording);

    assertThat(snapshots)
        .extracting(ClusterSnapshot::now)
        .containsExactly(
            Instant.ofEpochSecond(0), Instant.ofEpochSecond(100), Instant.ofEpochSecond(200));
    assertThat(snapshots.get(0).queue())
        .extracting(PendingTask::profile)
        .extracting(TaskProfile::userEstimate)
        .containsExactly(Optional.of(Duration.ofSeconds(30)), Optional.empty());
    // Job 1's estimate is the user's; job 2 (bert) has nothing to go on until a bert finishes;
    // job 3 gets what job 2 (40 s, same tenant and name) taught the estimator.
    assertThat(estimatesSeen)
        .containsExactly(
            Optional.of(Duration.ofSeconds(30)),
            Optional.empty(),
            Optional.of(Duration.ofSeconds(40)));
    assertThat(snapshots)
        .flatExtracting(ClusterSnapshot::running)
        .allSatisfy(r -> assertThat(r.progress()).isEmpty());
  }

  @Test
  void runningTasksAreShownToTheCoreWithTheirDevices() {
    List<ClusterSnapshot> snapshots = new ArrayList<>();
    SchedulingPolicy fifo = Policies.create("fifo");
    SchedulingPolicy recording =
        snapshot -> {
          snapshots.add(snapshot);
          return fifo.schedule(snapshot);
        };
    Trace trace = new Trace("t", List.of(job("a", 0, 3, 10), job("b", 5, 1, 10)));

    new Simulator(trace, ClusterSpec.parse("1x4:A100")).run("rec", recording);

    ClusterSnapshot atFive = snapshots.get(1);
    RunningTask running = atFive.running().get(0);
    assertThat(running.id()).isEqualTo("a");
    assertThat(running.startTime()).isEqualTo(Instant.EPOCH);
    assertThat(atFive.nodes().get(0).devices())
        .filteredOn(d -> d.allocated())
        .hasSize(running.deviceIndices().size());
  }

  @Test
  void aPolicyThatDoubleBooksAGpuFailsTheRunNamingIt() {
    SchedulingPolicy greedy =
        snapshot ->
            new Plan(
                snapshot.queue().stream()
                    .map(t -> new Placement(t.id(), "node-1", List.of(0)))
                    .toList(),
                Map.of());
    Trace trace = new Trace("t", List.of(job("a", 0, 1, 10), job("b", 0, 1, 10)));

    assertThatThrownBy(() -> new Simulator(trace, ClusterSpec.parse("1x2:V100")).run("bad", greedy))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "policy 'bad' placed task 'b' on busy device 0 of node 'node-1' (at 0.0 s into the trace)");
  }

  @Test
  void aPolicyThatNeverPlacesLeavesJobsUnfinishedInsteadOfHanging() {
    SchedulingPolicy idle = snapshot -> new Plan(List.of(), Map.of());
    Trace trace = new Trace("t", List.of(job("a", 0, 1, 10), job("b", 3, 1, 10)));

    SimulationResult result = new Simulator(trace, ClusterSpec.parse("1x1:V100")).run("idle", idle);

    assertThat(result.unfinished()).extracting(TraceJob::id).containsExactly("a", "b");
    assertThat(result.runs()).isEmpty();
    assertThat(PolicyMetrics.of(result, 1).unfinished()).isEqualTo(2);
  }

  @Test
  void theTimelineFollowsQueueAndBusyGpus() {
    SimulationResult result = run("1x1:V100", "fifo", job("a", 0, 1, 10), job("b", 0, 1, 5));
    Timeline timeline = result.timeline();

    assertThat(timeline.size()).isEqualTo(3);
    assertThat(List.of(timeline.timeMillis(0), timeline.timeMillis(1), timeline.timeMillis(2)))
        .containsExactly(0L, 10_000L, 15_000L);
    assertThat(List.of(timeline.queued(0), timeline.queued(1), timeline.queued(2)))
        .containsExactly(1, 0, 0);
    assertThat(List.of(timeline.busyGpus(0), timeline.busyGpus(1), timeline.busyGpus(2)))
        .containsExactly(1, 1, 0);
  }

  static List<String> policies() {
    return Policies.names();
  }

  @ParameterizedTest
  @MethodSource("policies")
  void everyRegisteredPolicyRunsATraceToTheEnd(String policy) {
    Trace trace = SyntheticTrace.generate(400, 32, 1.2, 7);
    Simulator simulator = new Simulator(trace, ClusterSpec.parse("2x8:A100,4x4:V100"));

    SimulationResult result = simulator.run(policy);

    assertThat(result.unfinished()).isEmpty();
    assertThat(result.runs()).hasSize(simulator.schedulableJobs().size());
    assertThat(result.runs())
        .allSatisfy(
            r -> assertThat(r.startMillis()).isGreaterThanOrEqualTo(r.job().submitMillis()));
  }
}
