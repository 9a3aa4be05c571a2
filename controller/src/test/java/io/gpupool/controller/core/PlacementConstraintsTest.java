package io.gpupool.controller.core;

import static io.gpupool.controller.core.Fixtures.NOW;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The core's filters for a named node, pinned GPUs and quarantined GPUs; pure, no I/O. */
@Timeout(10)
class PlacementConstraintsTest {
  private static final String MODEL = "NVIDIA H100 80GB";
  private final SchedulingPolicy policy = Policies.create("default");
  private long sequence;

  @Test
  void aNamedNodeRestrictsPlacementToItByIdOrName() {
    NodeSnapshot a = node("n-a", "node-a", 4, Set.of(), Set.of());
    NodeSnapshot b = node("n-b", "node-b", 4, Set.of(), Set.of());

    Plan plan =
        run(
            List.of(a, b),
            pending("byName", request(1, "node-b", List.of(), false)),
            pending("byId", request(1, "n-a", List.of(), false)));

    assertThat(plan.placements())
        .extracting(Placement::taskId, Placement::nodeId)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("byName", "n-b"),
            org.assertj.core.groups.Tuple.tuple("byId", "n-a"));
  }

  @Test
  void aTaskForAnUnknownNodeWaitsSayingSo() {
    Plan plan =
        run(
            List.of(node("n-a", "node-a", 4, Set.of(), Set.of())),
            pending("t", request(1, "node-z", List.of(), false)));

    assertThat(plan.placements()).isEmpty();
    assertThat(plan.waiting().get("t"))
        .isEqualTo("waiting for 1 GPU on node 'node-z': no such node has registered");
  }

  @Test
  void pinnedGpusAreTakenExactlyOrTheTaskWaitsNamingTheBusyOne() {
    NodeSnapshot a = node("n-a", "node-a", 4, Set.of(3), Set.of());

    Plan plan =
        run(
            List.of(a),
            pending("free", request(2, "node-a", List.of(2, 1), false)),
            pending("busy", request(1, "node-a", List.of(3), false)));

    assertThat(plan.placements()).containsExactly(new Placement("free", "n-a", List.of(2, 1)));
    assertThat(plan.waiting().get("busy")).isEqualTo("waiting for GPU 3 on node-a: it is in use");
  }

  @Test
  void aPinnedGpuTakenEarlierInThePassIsNotGivenTwice() {
    Plan plan =
        run(
            List.of(node("n-a", "node-a", 4, Set.of(), Set.of())),
            pending("first", request(1, "node-a", List.of(0), false)),
            pending("second", request(1, "node-a", List.of(0), false)));

    assertThat(plan.placements()).containsExactly(new Placement("first", "n-a", List.of(0)));
    assertThat(plan.waiting().get("second")).contains("given to another task");
  }

  @Test
  void aQuarantinedGpuGetsNoOrdinaryWorkNotEvenPinned() {
    NodeSnapshot a = node("n-a", "node-a", 1, Set.of(), Set.of(0));

    Plan plan =
        run(
            List.of(a),
            pending("any", request(1, "", List.of(), false)),
            pending("pinned", request(1, "node-a", List.of(0), false)));

    assertThat(plan.placements()).isEmpty();
    assertThat(plan.waiting()).containsKey("any");
    assertThat(plan.waiting().get("pinned"))
        .isEqualTo(
            "waiting for GPU 0 on node-a: it is quarantined (only a diagnostic may run on it)");
  }

  @Test
  void aDiagnosticPinnedToAQuarantinedGpuIsPlacedThereButAnUnpinnedOneIsNot() {
    // One GPU, quarantined: the node has nothing free, yet the aimed diagnostic must find it.
    NodeSnapshot a = node("n-a", "node-a", 1, Set.of(), Set.of(0));

    Plan aimed = run(List.of(a), pending("diag", request(1, "node-a", List.of(0), true)));
    Plan unpinned = run(List.of(a), pending("diag", request(1, "node-a", List.of(), true)));

    assertThat(aimed.placements()).containsExactly(new Placement("diag", "n-a", List.of(0)));
    assertThat(unpinned.placements()).isEmpty();
  }

  @Test
  void aDiagnosticDoesNotGetAQuarantinedGpuThatIsStillInUse() {
    NodeSnapshot a = node("n-a", "node-a", 1, Set.of(0), Set.of(0));

    Plan plan = run(List.of(a), pending("diag", request(1, "node-a", List.of(0), true)));

    assertThat(plan.placements()).isEmpty();
    assertThat(plan.waiting().get("diag")).isEqualTo("waiting for GPU 0 on node-a: it is in use");
  }

  @Test
  void unknownUtilizationIsNotReadAsIdle() {
    // No telemetry: the busy GPU counts as busy, the free one as idle (read as 0 both would look
    // idle, and the node would win over nodes that report real numbers).
    NodeSnapshot silent =
        new NodeSnapshot(
            "silent",
            "silent",
            true,
            List.of(
                new DeviceSnapshot(0, MODEL, 80L << 30, true, false),
                new DeviceSnapshot(1, MODEL, 80L << 30, true, true)));

    assertThat(NodeScorer.LOW_UTILIZATION.score(silent, 1, List.of(0))).isEqualTo(0.5);
  }

  @Test
  void unknownPowerOfABusyGpuCountsAsItsLimitInThePowerBudget() {
    // One busy GPU without a power reading (limit 700 W) and one free: starting work on the free
    // one adds 700 W, so a 1 kW budget must hold it back; read as 0 W the busy one would let it.
    NodeSnapshot a =
        new NodeSnapshot(
            "a",
            "a",
            true,
            List.of(
                new DeviceSnapshot(
                    0, MODEL, 80L << 30, true, true, Double.NaN, Double.NaN, 0, "", 700),
                new DeviceSnapshot(
                    1, MODEL, 80L << 30, true, false, Double.NaN, Double.NaN, 0, "", 700)));

    Plan plan =
        new PowerBudget(policy, 1000)
            .schedule(
                new ClusterSnapshot(
                    NOW,
                    List.of(a),
                    List.of(pending("t", request(1, "", List.of(), false))),
                    List.of(),
                    RuntimeEstimates.NONE));

    assertThat(plan.placements()).isEmpty();
    assertThat(plan.waiting().get("t")).contains("1.4 kW");
  }

  private Plan run(List<NodeSnapshot> nodes, PendingTask... queue) {
    return policy.schedule(
        new ClusterSnapshot(NOW, nodes, List.of(queue), List.of(), RuntimeEstimates.NONE));
  }

  /** A pending task; tasks are numbered in the order this is called, which is queue order. */
  private PendingTask pending(String id, ResourceRequest request) {
    return new PendingTask(id, ++sequence, request, NOW);
  }

  private static ResourceRequest request(
      int gpus, String node, List<Integer> devices, boolean diagnostic) {
    return new ResourceRequest(gpus, "", 0, Map.of(), 0, node, devices, diagnostic);
  }

  /** {@code gpus} GPUs; {@code allocated} hold tasks, {@code quarantined} are not healthy. */
  private static NodeSnapshot node(
      String id, String name, int gpus, Set<Integer> allocated, Set<Integer> quarantined) {
    List<DeviceSnapshot> devices = new ArrayList<>();
    for (int i = 0; i < gpus; i++) {
      devices.add(
          new DeviceSnapshot(i, MODEL, 80L << 30, !quarantined.contains(i), allocated.contains(i)));
    }
    return new NodeSnapshot(id, name, true, devices);
  }
}
