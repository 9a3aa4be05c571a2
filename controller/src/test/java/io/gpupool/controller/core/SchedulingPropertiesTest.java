package io.gpupool.controller.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Invariants every policy keeps on random clusters (jqwik; bounded by the number of tries, as jqwik
 * does not run JUnit Jupiter's @Timeout).
 */
class SchedulingPropertiesTest {
  private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
  private static final String[] MODELS = {"NVIDIA H100 80GB", "NVIDIA A100 40GB"};

  @Property(tries = 300)
  void noPolicyDoubleBooksAGpuSplitsAGangOrPlacesWhereTheTaskDoesNotFit(@ForAll long seed) {
    ClusterSnapshot snapshot = randomCluster(new Random(seed));
    for (String name : Policies.names()) {
      Plan plan = Policies.create(name).schedule(snapshot);
      Map<String, NodeSnapshot> nodes = new HashMap<>();
      snapshot.nodes().forEach(n -> nodes.put(n.id(), n));
      Map<String, PendingTask> tasks = new HashMap<>();
      snapshot.queue().forEach(t -> tasks.put(t.id(), t));
      Set<String> used = new HashSet<>();
      Map<String, Long> promised = new HashMap<>();
      for (NodeSnapshot node : snapshot.nodes()) {
        for (DeviceSnapshot device : node.devices()) {
          promised.put(node.id() + "/" + device.index(), device.sharedBytes());
        }
      }
      for (Placement p : plan.placements()) {
        if (tasks.get(p.taskId()).request().isShare()) {
          NodeSnapshot node = nodes.get(p.nodeId());
          DeviceSnapshot device = node.devices().get(p.deviceIndices().get(0));
          String key = p.nodeId() + "/" + device.index();
          long total =
              promised.merge(key, tasks.get(p.taskId()).request().gpuMemoryShareBytes(), Long::sum);
          assertThat(node.ready()).as(name + ": ready node").isTrue();
          assertThat(device.isShareable()).as(name + ": shareable device").isTrue();
          assertThat(used).as(name + ": share on a device taken whole").doesNotContain(key);
          assertThat(total)
              .as(name + ": GPU memory over-committed")
              .isLessThanOrEqualTo(device.memoryBytes());
          continue;
        }
        NodeSnapshot node = nodes.get(p.nodeId());
        PendingTask task = tasks.get(p.taskId());
        assertThat(node.ready()).as(name + ": ready node").isTrue();
        assertThat(node.matches(task.request().nodeSelector())).as(name + ": labels").isTrue();
        assertThat(p.deviceIndices()).as(name + ": GPU count").hasSize(task.request().gpus());
        for (int index : p.deviceIndices()) {
          DeviceSnapshot device = node.devices().get(index);
          assertThat(device.isFree()).as(name + ": free device").isTrue();
          assertThat(promised.get(p.nodeId() + "/" + index))
              .as(name + ": whole GPU already shared")
              .isZero();
          assertThat(task.request().accepts(device)).as(name + ": model and memory").isTrue();
          assertThat(used.add(p.nodeId() + "/" + index)).as(name + ": GPU booked twice").isTrue();
        }
      }
      Map<String, Long> placedPerGang = new HashMap<>();
      for (Placement p : plan.placements()) {
        tasks.get(p.taskId()).gang().ifPresent(g -> placedPerGang.merge(g.id(), 1L, Long::sum));
      }
      placedPerGang.forEach(
          (gang, placed) ->
              assertThat(placed)
                  .as(name + ": gang " + gang + " all or nothing")
                  .isEqualTo(
                      (long)
                          tasks.values().stream()
                              .filter(t -> t.gang().map(g -> g.id().equals(gang)).orElse(false))
                              .count()));
      Set<String> decided = new HashSet<>(plan.waiting().keySet());
      plan.placements().forEach(p -> assertThat(decided.add(p.taskId())).isTrue());
      assertThat(decided)
          .as(name + ": every task placed or explained")
          .hasSize(snapshot.queue().size());
    }
  }

  @Property(tries = 300)
  void aBackfilledTaskNeverDelaysTheReservation(@ForAll long seed) {
    ClusterSnapshot snapshot = randomCluster(new Random(seed));
    for (String name : List.of("weighted", "sjf", "fair", "default")) {
      Plan plan = Policies.create(name).schedule(snapshot);
      for (Reservation r : plan.reservations()) {
        for (Placement p : plan.placements()) {
          if (!p.nodeId().equals(r.nodeId())) {
            continue;
          }
          boolean onReserved = p.deviceIndices().stream().anyMatch(r.deviceIndices()::contains);
          if (onReserved) {
            PendingTask task =
                snapshot.queue().stream()
                    .filter(t -> t.id().equals(p.taskId()))
                    .findFirst()
                    .orElseThrow();
            Optional<Duration> estimate = snapshot.estimates().estimate(task.profile());
            assertThat(r.expectedStart()).as(name + ": reservation with a known start").isPresent();
            assertThat(estimate).as(name + ": backfilled task has an estimate").isPresent();
            assertThat(NOW.plus(estimate.get()))
                .as(name + ": ends before the reservation")
                .isBeforeOrEqualTo(r.expectedStart().get());
          }
        }
      }
    }
  }

  @Property(tries = 30)
  void underWeightedNoTaskSubmittedAHorizonLaterPassesAnOlderOne(
      @ForAll @IntRange(min = 1, max = 20) int arrivalsPerStep) {
    // One GPU, freed every 10 minutes; a stream of maximally urgent tasks keeps arriving.
    SchedulingPolicy policy = Policies.create("weighted");
    NodeSnapshot node = Fixtures.node("n", 1, Set.of());
    PendingTask old = new PendingTask("old", 0, ResourceRequest.gpus(1), TaskProfile.DEFAULT, NOW);
    List<PendingTask> queue = new ArrayList<>(List.of(old));
    Map<String, Instant> submitted = new HashMap<>();
    long sequence = 1;
    Duration horizon = WeightedOrder.Weights.DEFAULT.agingHorizon();
    for (Instant now = NOW; ; now = now.plus(Duration.ofMinutes(10))) {
      for (int i = 0; i < arrivalsPerStep; i++) {
        String id = "u-" + sequence;
        submitted.put(id, now);
        queue.add(
            new PendingTask(
                id,
                sequence++,
                ResourceRequest.gpus(1),
                new TaskProfile("default", "u", 0, false, 1, 1, 1, Optional.empty()),
                now));
      }
      Plan plan = policy.schedule(new ClusterSnapshot(now, List.of(node), queue));
      String started = plan.placements().get(0).taskId();
      if (started.equals("old")) {
        return;
      }
      assertThat(Duration.between(NOW, submitted.get(started)))
          .as("%s passed the old task", started)
          .isLessThan(horizon);
      queue.removeIf(t -> t.id().equals(started));
    }
  }

  private static ClusterSnapshot randomCluster(Random random) {
    List<NodeSnapshot> nodes = new ArrayList<>();
    List<RunningTask> running = new ArrayList<>();
    int nodeCount = 1 + random.nextInt(6);
    for (int n = 0; n < nodeCount; n++) {
      String id = "n" + n;
      int gpus = 1 + random.nextInt(8);
      String model = MODELS[random.nextInt(MODELS.length)];
      List<DeviceSnapshot> devices = new ArrayList<>();
      List<Integer> busy = new ArrayList<>();
      for (int d = 0; d < gpus; d++) {
        boolean allocated = random.nextInt(3) == 0;
        boolean healthy = random.nextInt(10) > 0;
        devices.add(
            new DeviceSnapshot(
                d,
                model,
                model.contains("80GB") ? 80L << 30 : 40L << 30,
                healthy,
                allocated,
                0,
                0,
                !allocated && random.nextInt(4) == 0 ? (long) (1 + random.nextInt(30)) << 30 : 0));
        if (allocated) {
          busy.add(d);
        }
      }
      Map<String, String> labels = random.nextBoolean() ? Map.of("zone", "a") : Map.of("zone", "b");
      nodes.add(new NodeSnapshot(id, id, random.nextInt(6) > 0, labels, devices));
      if (!busy.isEmpty()) {
        Optional<Duration> estimate =
            random.nextBoolean()
                ? Optional.of(Duration.ofMinutes(1 + random.nextInt(120)))
                : Optional.empty();
        running.add(
            new RunningTask(
                "r-" + id,
                id,
                busy,
                ResourceRequest.gpus(busy.size()),
                new TaskProfile("t" + random.nextInt(3), "r", 0, false, 0, 0, 0, estimate),
                NOW.minus(Duration.ofMinutes(random.nextInt(60))),
                OptionalDouble.empty()));
      }
    }
    List<PendingTask> queue = new ArrayList<>();
    int tasks = random.nextInt(25);
    for (int t = 0; t < tasks; t++) {
      ResourceRequest request =
          new ResourceRequest(
              1 + random.nextInt(random.nextInt(4) == 0 ? 8 : 2),
              random.nextInt(4) == 0 ? "A100" : "",
              random.nextInt(5) == 0 ? 60L << 30 : 0,
              random.nextInt(5) == 0 ? Map.of("zone", "a") : Map.of());
      Optional<Duration> estimate =
          random.nextBoolean()
              ? Optional.of(Duration.ofMinutes(1 + random.nextInt(180)))
              : Optional.empty();
      TaskProfile profile =
          new TaskProfile(
              "t" + random.nextInt(3),
              "job" + random.nextInt(3),
              random.nextInt(3),
              false,
              random.nextDouble(),
              random.nextDouble(),
              random.nextDouble(),
              estimate);
      queue.add(
          new PendingTask(
              "p-" + t, t, request, profile, NOW.minus(Duration.ofMinutes(random.nextInt(120)))));
    }
    int shares = random.nextInt(6);
    for (int t = 0; t < shares; t++) {
      queue.add(
          new PendingTask(
              "s-" + t,
              500 + t,
              new ResourceRequest(1, "", 0, Map.of(), (long) (1 + random.nextInt(60)) << 30),
              TaskProfile.DEFAULT,
              NOW));
    }
    int gangs = random.nextInt(3);
    for (int g = 0; g < gangs; g++) {
      int size = 2 + random.nextInt(3);
      int gpus = 1 + random.nextInt(4);
      for (int rank = 0; rank < size; rank++) {
        long sequence = 1000 + g * 10 + rank;
        queue.add(
            new PendingTask(
                "g" + g + "-" + rank,
                sequence,
                ResourceRequest.gpus(gpus),
                new TaskProfile(
                    "t" + random.nextInt(3), "gang", 0, false, 0, 0, 0, Optional.empty()),
                NOW,
                Optional.of(new Gang("g" + g + "-0", rank, size))));
      }
    }
    return new ClusterSnapshot(NOW, nodes, queue, running, RuntimeEstimates.NONE);
  }
}
