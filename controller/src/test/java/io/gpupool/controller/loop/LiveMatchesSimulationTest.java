package io.gpupool.controller.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpupool.controller.core.Placement;
import io.gpupool.controller.core.Plan;
import io.gpupool.controller.core.Policies;
import io.gpupool.controller.core.SchedulingPolicy;
import io.gpupool.controller.sim.ClusterSpec;
import io.gpupool.controller.sim.JobRun;
import io.gpupool.controller.sim.SimulationResult;
import io.gpupool.controller.sim.Simulator;
import io.gpupool.controller.sim.Trace;
import io.gpupool.controller.sim.TraceJob;
import io.gpupool.controller.store.JdbcStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The simulator's promise: it runs the production core, so what it predicts for a trace is what the
 * live controller would do. Replays one event sequence through both and compares every decision.
 *
 * <p>The live side mirrors the simulator's event semantics, which are not decisions: events at one
 * instant are applied in one pass, completions before arrivals; agents report a start in the same
 * instant as the placement (so a running task's start time is its placement time, as in the
 * simulator); nodes never go silent. The simulator skips the policy when no node has as many free
 * GPUs as the smallest waiting job needs; trace jobs are never preemptible, so such a call could
 * not place or change anything, and that skip needs no care here.
 */
@Timeout(120)
class LiveMatchesSimulationTest {
  /** A kind of job that recurs, so the runtime estimator learns it. */
  private record Kind(
      String tenant,
      String name,
      int gpus,
      String gpuType,
      int seconds,
      int priority,
      Integer estimate) {}

  private static final List<Kind> KINDS =
      List.of(
          new Kind("vision", "resnet", 4, "A100", 600, 0, null),
          new Kind("vision", "eval", 1, "", 60, 1, null),
          new Kind("nlp", "bert", 8, "", 900, 0, null),
          new Kind("nlp", "tokenize", 2, "", 120, 0, 150),
          new Kind("speech", "wav2vec", 2, "A100", 300, 0, null),
          new Kind("speech", "align", 1, "V100", 90, 0, null),
          new Kind("speech", "finetune", 4, "V100", 450, 0, null),
          new Kind("", "notebook", 1, "", 200, 0, null));

  private static final ClusterSpec CLUSTER = ClusterSpec.parse("2x4:A100,1x8:V100");
  private static final Trace TRACE = trace();
  private static final Instant ORIGIN = Instant.parse("2026-11-25T12:00:00Z");

  @TempDir Path dir;

  static Stream<String> policies() {
    return Policies.names().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("policies")
  void theLiveLoopStartsEveryJobOnTheNodeGpusAndTimeTheSimulatorPredicts(String policy) {
    Map<String, LiveReplay.Start> simulated = simulate(policy);
    Map<String, LiveReplay.Start> live;
    try (JdbcStore store = JdbcStore.openH2(dir)) {
      live = new LiveReplay(TRACE, CLUSTER, Policies.create(policy), store, ORIGIN).run();
    }

    assertThat(schedule(live)).as(policy).containsExactlyElementsOf(schedule(simulated));
  }

  @Test
  void theTraceBuildsQueuesAndSetsThePoliciesApart() {
    Set<List<String>> schedules = new HashSet<>();
    for (String policy : Policies.names()) {
      SimulationResult result = new Simulator(TRACE, CLUSTER).run(policy);
      assertThat(result.runs()).as(policy).hasSize(TRACE.jobs().size());
      long waited = result.runs().stream().filter(r -> r.queueDelayMillis() > 0).count();
      assertThat(waited)
          .as("jobs that waited under " + policy)
          .isGreaterThan(TRACE.jobs().size() / 3);
      assertThat(result.runs().stream().map(JobRun::nodeId).distinct())
          .as(policy)
          .hasSize(CLUSTER.nodeCount());
      schedules.add(schedule(simulate(policy)));
    }
    assertThat(schedules).as("distinct schedules among the policies").hasSizeGreaterThan(2);
  }

  /**
   * Runs the simulator as {@link Simulator#run(String)} does, and reads each job's GPUs from the
   * plans it applied: a {@link JobRun} has only node and time, which must agree with the plans.
   */
  private static Map<String, LiveReplay.Start> simulate(String policy) {
    Map<String, LiveReplay.Start> placed = new HashMap<>();
    SchedulingPolicy core = Policies.create(policy);
    SchedulingPolicy recording =
        snapshot -> {
          Plan plan = core.schedule(snapshot);
          long at = Duration.between(Instant.EPOCH, snapshot.now()).toMillis();
          for (Placement p : plan.placements()) {
            placed.put(p.taskId(), new LiveReplay.Start(p.nodeId(), p.deviceIndices(), at));
          }
          return plan;
        };
    SimulationResult result = new Simulator(TRACE, CLUSTER).run(policy, recording);
    assertThat(result.unschedulable()).as("jobs no node can hold").isEmpty();
    assertThat(result.unfinished()).as("jobs left waiting").isEmpty();
    assertThat(result.runs())
        .as("runs with the recording wrapper")
        .isEqualTo(new Simulator(TRACE, CLUSTER).run(policy).runs());
    for (JobRun run : result.runs()) {
      LiveReplay.Start start = placed.get(run.job().id());
      assertThat(start.nodeId()).isEqualTo(run.nodeId());
      assertThat(start.startMillis()).isEqualTo(run.startMillis());
    }
    return placed;
  }

  /** Every start as one line, by time then job, so that a mismatch reads as a schedule diff. */
  private static List<String> schedule(Map<String, LiveReplay.Start> starts) {
    List<TraceJob> jobs = new ArrayList<>(TRACE.jobs());
    jobs.sort(
        Comparator.comparingLong(
                (TraceJob j) ->
                    starts.containsKey(j.id()) ? starts.get(j.id()).startMillis() : Long.MAX_VALUE)
            .thenComparing(TraceJob::id, TraceJob.ID_ORDER));
    List<String> lines = new ArrayList<>();
    for (TraceJob job : jobs) {
      LiveReplay.Start start = starts.get(job.id());
      lines.add(
          start == null
              ? job.id() + " never started"
              : String.format(
                  "%s (%s/%s, %d GPUs, in at %ds) started at %ds on %s GPUs %s",
                  job.id(),
                  job.tenant(),
                  job.name(),
                  job.gpus(),
                  job.submitMillis() / 1000,
                  start.startMillis() / 1000,
                  start.nodeId(),
                  start.deviceIndices()));
    }
    return lines;
  }

  /**
   * 48 jobs in six bursts of eight, a few minutes apart; within a burst jobs arrive 0 to 10 s apart
   * (several at the same instant). True durations vary by ±30% around each kind's. Arrivals and
   * durations lie on a 5 s grid, so that jobs often end together and as others arrive. Ids are the
   * loop's own task ids, t-1, t-2, ... in arrival order, so ties that break on ids break alike.
   */
  private static Trace trace() {
    SplittableRandom random = new SplittableRandom(20261125);
    List<TraceJob> jobs = new ArrayList<>();
    long at = 0;
    for (int i = 0; i < 48; i++) {
      String id = "t-" + (i + 1);
      if (i > 0) {
        at += i % 8 == 0 ? 5000L * random.nextInt(36, 84) : 5000L * random.nextInt(0, 3);
        if (Integer.toString(i + 1).length() > Integer.toString(i).length()) {
          at += 5000; // "t-10" sorts before "t-9" as text: keep the trace order the arrival order
        }
      }
      Kind kind = KINDS.get(random.nextInt(KINDS.size()));
      long seconds = 5 * Math.round(kind.seconds() * (0.7 + 0.6 * random.nextDouble()) / 5);
      jobs.add(
          new TraceJob(
              id,
              at,
              kind.gpus(),
              seconds * 1000,
              kind.name(),
              kind.gpuType(),
              kind.tenant(),
              kind.priority(),
              Optional.ofNullable(kind.estimate()).map(Duration::ofSeconds),
              i + 2));
    }
    Trace trace = new Trace("live-vs-sim", jobs);
    assertThat(trace.jobs()).as("trace order").containsExactlyElementsOf(jobs);
    return trace;
  }
}
