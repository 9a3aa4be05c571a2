package io.gpupool.controller.core;

import static io.gpupool.controller.core.Fixtures.NOW;
import static io.gpupool.controller.core.Fixtures.node;
import static io.gpupool.controller.core.Fixtures.running;
import static io.gpupool.controller.core.Fixtures.task;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class PolicySchedulerTest {

  private static PolicyScheduler scheduler(
      QueueOrder order, PolicyConfig.Backfill backfill, Map<String, Integer> quotas) {
    Map<NodeScorer, Double> scorers = new LinkedHashMap<>();
    scorers.put(NodeScorer.BIN_PACK, 1.0);
    return new PolicyScheduler(new PolicyConfig("test", order, backfill, scorers, quotas, 16));
  }

  private static Plan run(
      SchedulingPolicy policy,
      List<NodeSnapshot> nodes,
      List<RunningTask> running,
      PendingTask... queue) {
    return policy.schedule(
        new ClusterSnapshot(NOW, nodes, List.of(queue), running, RuntimeEstimates.NONE));
  }

  @Test
  void strictFifoLetsNothingPassABlockedTask() {
    Plan plan =
        run(
            scheduler(new FifoOrder(), PolicyConfig.Backfill.NONE, Map.of()),
            List.of(node("a", 4, Set.of(0, 1))),
            List.of(),
            task("t-1", 1).gpus(4).build(),
            task("t-2", 2).gpus(1).build());

    assertThat(plan.placements()).isEmpty();
    assertThat(plan.waiting().get("t-2")).isEqualTo("waiting behind t-1 (strict order)");
  }

  @Test
  void easyBackfillReservesForTheHeadAndLetsOthersFitBesideIt() {
    // a: 2 of 4 busy (so the 4-GPU head reserves there); b: 1 free GPU.
    Plan plan =
        run(
            scheduler(new FifoOrder(), PolicyConfig.Backfill.EASY, Map.of()),
            List.of(node("a", 4, Set.of(0, 1)), node("b", 2, Set.of(0))),
            List.of(
                running("r-1", "a", List.of(0, 1), Duration.ofHours(1), Duration.ZERO),
                running("r-2", "b", List.of(0), null, Duration.ZERO)),
            task("t-1", 1).gpus(4).build(),
            task("t-2", 2).gpus(1).build(),
            task("t-3", 3).gpus(1).build());

    assertThat(plan.reservations())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.taskId()).isEqualTo("t-1");
              assertThat(r.nodeId()).isEqualTo("a");
              assertThat(r.deviceIndices()).containsExactlyInAnyOrder(0, 1, 2, 3);
              assertThat(r.expectedStart()).contains(NOW.plus(Duration.ofHours(1)));
            });
    assertThat(plan.placements()).containsExactly(new Placement("t-2", "b", List.of(1)));
    assertThat(plan.waiting().get("t-1"))
        .isEqualTo("next in line: GPUs 0,1,2,3 on a are reserved for it, expected start in 1h");
    assertThat(plan.waiting().get("t-3"))
        .isEqualTo("waiting: the free GPUs are reserved for t-1, which is next in line");
  }

  @Test
  void aTaskExpectedToEndBeforeTheReservationMayUseReservedGpus() {
    Plan plan =
        run(
            scheduler(new FifoOrder(), PolicyConfig.Backfill.EASY, Map.of()),
            List.of(node("a", 4, Set.of(0, 1))),
            List.of(running("r-1", "a", List.of(0, 1), Duration.ofHours(1), Duration.ZERO)),
            task("t-1", 1).gpus(4).build(),
            task("t-long", 2).gpus(1).estimate(Duration.ofHours(2)).build(),
            task("t-short", 3).gpus(1).estimate(Duration.ofMinutes(30)).build());

    assertThat(plan.placements()).extracting(Placement::taskId).containsExactly("t-short");
  }

  @Test
  void weightedOrderPutsPriorityClassFirstThenTheOriginsScore() {
    ClusterSnapshot snapshot =
        new ClusterSnapshot(
            NOW,
            List.of(),
            List.of(
                task("low-class", 1).priority(0).hints(1, 1, 1).build(),
                task("urgent", 2).priority(0).hints(0, 1, 0).build(),
                task("compute", 3).priority(0).hints(1, 0, 0).build(),
                task("high-class", 4).priority(10).build()));

    List<PendingTask> order = new WeightedOrder(WeightedOrder.Weights.DEFAULT).order(snapshot);

    assertThat(order)
        .extracting(PendingTask::id)
        .containsExactly("high-class", "low-class", "compute", "urgent");
  }

  @Test
  void agingLiftsATaskThatWaitedTheHorizonAboveEveryFreshOne() {
    WeightedOrder order = new WeightedOrder(WeightedOrder.Weights.DEFAULT);
    ClusterSnapshot snapshot =
        new ClusterSnapshot(
            NOW,
            List.of(),
            List.of(
                task("old-zero", 1).waited(Duration.ofHours(1)).build(),
                task("fresh-max", 2).hints(1, 1, 1).build(),
                task("older-than-fresh", 3).waited(Duration.ofMinutes(1)).build()));

    assertThat(order.order(snapshot))
        .extracting(PendingTask::id)
        .containsExactly("old-zero", "fresh-max", "older-than-fresh");
  }

  @Test
  void fairShareInterleavesTenantsByTheGpusTheyHold() {
    ClusterSnapshot snapshot =
        new ClusterSnapshot(
            NOW,
            List.of(),
            List.of(
                task("a-1", 1).tenant("a").gpus(2).build(),
                task("a-2", 2).tenant("a").gpus(2).build(),
                task("a-3", 3).tenant("a").gpus(2).build(),
                task("b-1", 4).tenant("b").gpus(1).build(),
                task("b-2", 5).tenant("b").gpus(1).build()),
            List.of(running("held", "x", List.of(0, 1, 2), null, Duration.ZERO)),
            RuntimeEstimates.NONE);
    // "held" runs for tenant "default", which has nothing pending.

    List<PendingTask> order = new FairShareOrder(Map.of()).order(snapshot);

    assertThat(order)
        .extracting(PendingTask::id)
        .containsExactly("a-1", "b-1", "b-2", "a-2", "a-3");
  }

  @Test
  void aTenantQuotaKeepsItsTasksWaitingWithTheReason() {
    Plan plan =
        run(
            scheduler(new FifoOrder(), PolicyConfig.Backfill.EASY, Map.of("a", 2)),
            List.of(node("n", 8, Set.of())),
            List.of(),
            task("a-1", 1).tenant("a").gpus(2).build(),
            task("a-2", 2).tenant("a").gpus(1).build(),
            task("b-1", 3).tenant("b").gpus(1).build());

    assertThat(plan.placements()).extracting(Placement::taskId).containsExactly("a-1", "b-1");
    assertThat(plan.waiting().get("a-2"))
        .isEqualTo("quota of tenant a reached (2 of 2 GPUs in use)");
  }

  @Test
  void shortestJobFirstUsesEstimatesAndPutsUnknownLast() {
    RuntimeEstimator learned = new RuntimeEstimator();
    learned.observe(
        new TaskProfile("default", "learned", 0, false, 0, 0, 0, java.util.Optional.empty()),
        Duration.ofMinutes(5));
    ClusterSnapshot snapshot =
        new ClusterSnapshot(
            NOW,
            List.of(),
            List.of(
                task("unknown", 1).build(),
                task("long", 2).estimate(Duration.ofHours(3)).build(),
                task("learned", 3).build()),
            List.of(),
            learned);

    assertThat(new ShortestJobFirstOrder().order(snapshot))
        .extracting(PendingTask::id)
        .containsExactly("learned", "long", "unknown");
  }

  @Test
  void filtersOnLabelsModelAndMemory() {
    NodeSnapshot small =
        new NodeSnapshot(
            "small",
            "small",
            true,
            Map.of("zone", "eu"),
            List.of(new DeviceSnapshot(0, "NVIDIA A100 40GB", 40L << 30, true, false)));
    NodeSnapshot big =
        new NodeSnapshot(
            "big",
            "big",
            true,
            Map.of("zone", "us"),
            List.of(new DeviceSnapshot(0, "NVIDIA A100 80GB", 80L << 30, true, false)));
    SchedulingPolicy policy = scheduler(new FifoOrder(), PolicyConfig.Backfill.EASY, Map.of());

    Plan plan =
        run(
            policy,
            List.of(small, big),
            List.of(),
            task("needs-80g", 1).minMemory(60L << 30).build(),
            task("needs-eu", 2).selector(Map.of("zone", "eu")).build(),
            task("needs-h100", 3).model("H100").build());

    assertThat(plan.placements())
        .containsExactly(
            new Placement("needs-80g", "big", List.of(0)),
            new Placement("needs-eu", "small", List.of(0)));
    assertThat(plan.waiting()).containsKey("needs-h100");
  }

  @Test
  void binPackFillsTheFullestNodeAndSpreadTheEmptiest() {
    List<NodeSnapshot> nodes = List.of(node("busy", 4, Set.of(0, 1, 2)), node("idle", 4, Set.of()));
    Map<NodeScorer, Double> spread = Map.of(NodeScorer.SPREAD, 1.0);
    SchedulingPolicy spreading =
        new PolicyScheduler(
            new PolicyConfig(
                "spread", new FifoOrder(), PolicyConfig.Backfill.EASY, spread, Map.of(), 16));

    assertThat(
            run(
                    scheduler(new FifoOrder(), PolicyConfig.Backfill.EASY, Map.of()),
                    nodes,
                    List.of(),
                    task("t", 1).build())
                .placements())
        .containsExactly(new Placement("t", "busy", List.of(3)));
    assertThat(run(spreading, nodes, List.of(), task("t", 1).build()).placements())
        .containsExactly(new Placement("t", "idle", List.of(0)));
  }

  @Test
  void everyNamedPolicyExistsAndUnknownNamesAreExplained() {
    assertThat(Policies.names()).contains("fifo", "weighted", "fair", "sjf", "default");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Policies.create("magic"))
        .hasMessage(
            "unknown policy 'magic'; known policies: " + String.join(", ", Policies.names()));
  }

  @Test
  void aGangStartsAllTogetherOrNotAtAll() {
    SchedulingPolicy policy = Policies.create("default");
    PendingTask[] gang = gang("g", 1, 3, 2);

    Plan tooSmall =
        run(policy, List.of(node("a", 4, Set.of()), node("b", 1, Set.of())), List.of(), gang);
    assertThat(tooSmall.placements()).isEmpty();
    assertThat(tooSmall.waiting().get("g-1"))
        .isEqualTo("gang g-0: only 2 of 3 members fit now; all start together");

    Plan fits =
        run(policy, List.of(node("a", 4, Set.of()), node("b", 2, Set.of())), List.of(), gang);
    assertThat(fits.placements())
        .extracting(Placement::taskId)
        .containsExactly("g-0", "g-1", "g-2");
    assertThat(
            fits.placements().stream()
                .flatMap(p -> p.deviceIndices().stream().map(d -> p.nodeId() + d))
                .distinct())
        .hasSize(6);
  }

  @Test
  void aTaskThatTakesAnyModelGoesToTheGpusThatDoMoreWorkPerWatt() {
    NodeSnapshot v100 = node("a-v100", 4, Set.of(), Map.of(), "Tesla V100-SXM2-32GB");
    NodeSnapshot l4 = node("b-l4", 4, Set.of(), Map.of(), "NVIDIA L4");

    Plan plan =
        run(Policies.create("default"), List.of(v100, l4), List.of(), task("any", 1).build());

    assertThat(plan.placements()).extracting(Placement::nodeId).containsExactly("b-l4");
    assertThat(WorkPerWatt.of("NVIDIA L4")).isEqualTo(1.0);
    assertThat(WorkPerWatt.of("NVIDIA H100 80GB HBM3"))
        .isGreaterThan(WorkPerWatt.of("NVIDIA A100-SXM4-80GB"));
    assertThat(WorkPerWatt.of("Some Future GPU")).isEqualTo(WorkPerWatt.UNKNOWN);
  }

  @Test
  void aBlockedGangHoldsTheQueueSoSmallTasksCannotStarveIt() {
    List<NodeSnapshot> halfBusy = List.of(node("a", 2, Set.of(0)), node("b", 2, Set.of(0)));
    PendingTask[] gang = gang("g", 1, 2, 2);
    PendingTask small = task("small", 10).gpus(1).build();

    Plan weighted = run(Policies.create("weighted"), halfBusy, List.of(), gang[0], gang[1], small);
    Plan greedy = run(Policies.create("first-fit"), halfBusy, List.of(), gang[0], gang[1], small);

    assertThat(weighted.placements()).isEmpty();
    assertThat(weighted.waiting().get("small"))
        .isEqualTo("waiting behind gang g-0, which holds the queue so it can start");
    assertThat(greedy.placements()).extracting(Placement::taskId).containsExactly("small");
  }

  @Test
  void aHigherPriorityTaskPreemptsTheSmallestSetOfLowerPreemptibleWork() {
    RunningTask cheap = preemptible("cheap", "a", List.of(0), 0, Duration.ofMinutes(5));
    RunningTask older = preemptible("older", "a", List.of(1), 0, Duration.ofHours(2));
    RunningTask protectedTask = running("keep", "b", List.of(0, 1), null, Duration.ZERO);
    List<NodeSnapshot> nodes = List.of(node("a", 2, Set.of(0, 1)), node("b", 2, Set.of(0, 1)));

    Plan plan =
        run(
            Policies.create("default"),
            nodes,
            List.of(cheap, older, protectedTask),
            task("vip", 1).gpus(1).priority(10).build());

    assertThat(plan.preemptions())
        .containsExactly(new Preemption("cheap", "vip", "preempted by vip (priority 10 > 0)"));
    assertThat(plan.waiting().get("vip"))
        .isEqualTo("preempting cheap on a to make room (priority 10)");
    assertThat(plan.reservations())
        .singleElement()
        .satisfies(r -> assertThat(r.nodeId()).isEqualTo("a"));

    RunningTask alreadyGoing =
        new RunningTask(
            "cheap",
            "a",
            List.of(0),
            ResourceRequest.gpus(1),
            cheap.profile(),
            cheap.startTime(),
            java.util.OptionalDouble.empty(),
            true);
    Plan next =
        run(
            Policies.create("default"),
            nodes,
            List.of(alreadyGoing, older, protectedTask),
            task("vip", 1).gpus(1).priority(10).build());
    assertThat(next.preemptions()).as("no second victim while the first is stopping").isEmpty();
  }

  @Test
  void equalOrHigherPriorityAndNonPreemptibleWorkIsNeverPreempted() {
    RunningTask same = preemptible("same", "a", List.of(0), 10, Duration.ZERO);
    RunningTask fixed = running("fixed", "a", List.of(1), null, Duration.ZERO);

    Plan plan =
        run(
            Policies.create("default"),
            List.of(node("a", 2, Set.of(0, 1))),
            List.of(same, fixed),
            task("vip", 1).priority(10).build());

    assertThat(plan.preemptions()).isEmpty();
  }

  @Test
  void progressRefinesWhenARunningTaskIsExpectedToEnd() {
    RunningTask halfDone =
        new RunningTask(
            "r",
            "a",
            List.of(0),
            ResourceRequest.gpus(1),
            TaskProfile.DEFAULT,
            NOW.minus(Duration.ofMinutes(30)),
            java.util.OptionalDouble.of(0.5));

    assertThat(ExpectedEnd.of(halfDone, NOW, RuntimeEstimates.NONE))
        .contains(NOW.plus(Duration.ofMinutes(30)));
    assertThat(
            ExpectedEnd.of(
                running("x", "a", List.of(0), Duration.ofHours(1), Duration.ofMinutes(10)),
                NOW,
                RuntimeEstimates.NONE))
        .contains(NOW.plus(Duration.ofMinutes(50)));
  }

  @Test
  void fractionalTasksShareADeviceWithoutOvercommittingItsMemory() {
    long gib = 1L << 30;
    NodeSnapshot node =
        new NodeSnapshot(
            "a",
            "a",
            true,
            List.of(
                new DeviceSnapshot(0, "NVIDIA H100 80GB", 80 * gib, true, false, 0, 0, 50 * gib),
                new DeviceSnapshot(1, "NVIDIA H100 80GB", 80 * gib, true, false)));
    PendingTask fits = share("fits", 1, 30 * gib);
    PendingTask next = share("next", 2, 30 * gib);
    PendingTask whole = task("whole", 3).gpus(1).build();
    PendingTask tooBig = share("too-big", 4, 100 * gib);

    Plan plan =
        run(Policies.create("default"), List.of(node), List.of(), fits, next, whole, tooBig);

    assertThat(plan.placements())
        .containsExactly(
            new Placement("fits", "a", List.of(0)), new Placement("next", "a", List.of(1)));
    assertThat(plan.waiting().get("whole")).isNotNull();
    assertThat(plan.waiting().get("too-big"))
        .isEqualTo("no GPU has 102400 MiB on one GPU in total; waiting for a node that does");
  }

  @Test
  void aMultiGpuTaskStaysInsideOneNvlinkIslandWhenOneCanHoldIt() {
    List<DeviceSnapshot> devices = new java.util.ArrayList<>();
    for (int i = 0; i < 8; i++) {
      boolean busy = i == 0 || i == 5;
      devices.add(
          new DeviceSnapshot(
              i,
              "NVIDIA A100 80GB",
              80L << 30,
              true,
              busy,
              0,
              0,
              0,
              i < 4 ? "island-0" : "island-1",
              400));
    }
    NodeSnapshot node = new NodeSnapshot("a", "a", true, devices);

    Plan plan =
        run(Policies.create("default"), List.of(node), List.of(), task("pair", 1).gpus(3).build());

    // island-0 has 1,2,3 free and island-1 has 4,6,7 free: both hold three; the lower one wins.
    assertThat(plan.placements()).containsExactly(new Placement("pair", "a", List.of(1, 2, 3)));
    Plan four =
        run(Policies.create("default"), List.of(node), List.of(), task("four", 1).gpus(4).build());
    assertThat(four.placements())
        .as("no island holds four: lowest indices")
        .containsExactly(new Placement("four", "a", List.of(1, 2, 3, 4)));
  }

  @Test
  void thePowerBudgetHoldsBackWorkThatWouldExceedIt() {
    List<DeviceSnapshot> devices = new java.util.ArrayList<>();
    for (int i = 0; i < 4; i++) {
      devices.add(
          new DeviceSnapshot(
              i,
              "NVIDIA H100 80GB",
              80L << 30,
              true,
              i == 0,
              i == 0 ? 0.9 : 0,
              i == 0 ? 650 : 70,
              0,
              "",
              700));
    }
    NodeSnapshot node = new NodeSnapshot("a", "a", true, devices);
    // Drawing 650 + 3 x 70 = 860 W now; each newly busy GPU adds 630 W.
    Tuning budget =
        new Tuning(
            WeightedOrder.Weights.DEFAULT,
            Tuning.DEFAULT.scorerWeights(),
            Map.of(),
            Map.of(),
            3.0,
            2200);

    Plan plan =
        run(
            Policies.create("default", budget),
            List.of(node),
            List.of(),
            task("one", 1).build(),
            task("two", 2).build(),
            task("three", 3).build());

    assertThat(plan.placements()).extracting(Placement::taskId).containsExactly("one", "two");
    assertThat(plan.waiting().get("three"))
        .isEqualTo(
            "waiting for power: starting it would raise the estimated draw to 2.8 kW, over the 2.2 kW budget");
  }

  private static PendingTask share(String id, long sequence, long bytes) {
    return new PendingTask(
        id, sequence, new ResourceRequest(1, "", 0, Map.of(), bytes), TaskProfile.DEFAULT, NOW);
  }

  private static PendingTask[] gang(String prefix, long firstSequence, int size, int gpusEach) {
    PendingTask[] members = new PendingTask[size];
    for (int rank = 0; rank < size; rank++) {
      PendingTask base = task(prefix + "-" + rank, firstSequence + rank).gpus(gpusEach).build();
      members[rank] =
          new PendingTask(
              base.id(),
              base.sequence(),
              base.request(),
              base.profile(),
              base.submitTime(),
              java.util.Optional.of(new Gang(prefix + "-0", rank, size)));
    }
    return members;
  }

  private static RunningTask preemptible(
      String id, String node, List<Integer> devices, int priority, Duration elapsed) {
    return new RunningTask(
        id,
        node,
        devices,
        ResourceRequest.gpus(devices.size()),
        new TaskProfile("default", id, priority, true, 0, 0, 0, java.util.Optional.empty()),
        NOW.minus(elapsed),
        java.util.OptionalDouble.empty());
  }
}
