package io.gpupool.controller.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class GreedyFirstFitTest {
  private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
  private final SchedulingPolicy policy = Policies.create("first-fit");

  @Test
  void placesTasksInSubmissionOrderOnLowestFreeIndices() {
    NodeSnapshot node = node("a", true, 4, Set.of(1));
    Plan plan =
        policy.schedule(
            new ClusterSnapshot(NOW, List.of(node), List.of(task("t-2", 2, 2), task("t-1", 1, 1))));

    assertThat(plan.placements())
        .containsExactly(
            new Placement("t-1", "a", List.of(0)), new Placement("t-2", "a", List.of(2, 3)));
    assertThat(plan.waiting()).isEmpty();
  }

  @Test
  void neverPlacesOnAllocatedUnhealthyOrDisconnectedDevices() {
    NodeSnapshot busy = node("a", true, 2, Set.of(0, 1));
    NodeSnapshot gone = node("b", false, 8, Set.of());
    NodeSnapshot sick =
        new NodeSnapshot(
            "c",
            "c",
            true,
            List.of(new DeviceSnapshot(0, "NVIDIA H100 80GB", 80L << 30, false, false)));
    Plan plan =
        policy.schedule(
            new ClusterSnapshot(NOW, List.of(busy, gone, sick), List.of(task("t-1", 1, 1))));

    assertThat(plan.placements()).isEmpty();
    assertThat(plan.waiting().get("t-1")).isEqualTo("waiting for 1 GPU to become free");
  }

  @Test
  void aTaskThatDoesNotFitDoesNotBlockSmallerOnesBehindIt() {
    Plan plan =
        policy.schedule(
            new ClusterSnapshot(
                NOW,
                List.of(node("a", true, 2, Set.of())),
                List.of(task("t-1", 1, 4), task("t-2", 2, 1))));

    assertThat(plan.placements()).containsExactly(new Placement("t-2", "a", List.of(0)));
    assertThat(plan.waiting().get("t-1"))
        .isEqualTo("no node has 4 GPUs (the largest has 2); waiting for a node that does");
  }

  @Test
  void matchesTheRequestedModelCaseInsensitively() {
    NodeSnapshot a100 =
        new NodeSnapshot(
            "a",
            "a",
            true,
            List.of(new DeviceSnapshot(0, "NVIDIA A100 80GB", 80L << 30, true, false)));
    NodeSnapshot h100 =
        new NodeSnapshot(
            "b",
            "b",
            true,
            List.of(new DeviceSnapshot(0, "NVIDIA H100 80GB", 80L << 30, true, false)));
    PendingTask wantsH100 = new PendingTask("t-1", 1, ResourceRequest.gpus(1, "h100"), NOW);

    Plan plan = policy.schedule(new ClusterSnapshot(NOW, List.of(a100, h100), List.of(wantsH100)));

    assertThat(plan.placements()).containsExactly(new Placement("t-1", "b", List.of(0)));
  }

  @Test
  void explainsAnEmptyOrDisconnectedCluster() {
    assertThat(
            policy
                .schedule(new ClusterSnapshot(NOW, List.of(), List.of(task("t-1", 1, 1))))
                .waiting())
        .containsEntry("t-1", "waiting for 1 GPU: no nodes have registered");
    assertThat(
            policy
                .schedule(
                    new ClusterSnapshot(
                        NOW, List.of(node("a", false, 4, Set.of())), List.of(task("t-1", 1, 1))))
                .waiting())
        .containsEntry("t-1", "waiting for 1 GPU: no node is ready (connected and not cordoned)");
  }

  @Test
  void neverAllocatesAGpuTwiceAcrossManyRandomSnapshots() {
    java.util.Random random = new java.util.Random(42);
    for (int round = 0; round < 500; round++) {
      List<NodeSnapshot> nodes = new ArrayList<>();
      for (int n = 0; n < 1 + random.nextInt(5); n++) {
        Set<Integer> allocated = new HashSet<>();
        for (int d = 0; d < 8; d++) {
          if (random.nextInt(3) == 0) {
            allocated.add(d);
          }
        }
        nodes.add(node("n" + n, random.nextInt(5) > 0, 1 + random.nextInt(8), allocated));
      }
      List<PendingTask> queue = new ArrayList<>();
      for (int t = 0; t < random.nextInt(20); t++) {
        queue.add(task("t-" + t, t, 1 + random.nextInt(4)));
      }
      Plan plan = policy.schedule(new ClusterSnapshot(NOW, nodes, queue));

      Set<String> used = new HashSet<>();
      for (Placement p : plan.placements()) {
        NodeSnapshot node =
            nodes.stream().filter(n -> n.id().equals(p.nodeId())).findFirst().orElseThrow();
        assertThat(node.ready()).isTrue();
        for (int index : p.deviceIndices()) {
          assertThat(node.devices().get(index).isFree()).isTrue();
          assertThat(used.add(p.nodeId() + "/" + index)).as("GPU allocated twice").isTrue();
        }
      }
      assertThat(plan.placements().size() + plan.waiting().size()).isEqualTo(queue.size());
    }
  }

  private static NodeSnapshot node(String id, boolean ready, int gpus, Set<Integer> allocated) {
    List<DeviceSnapshot> devices = new ArrayList<>();
    for (int i = 0; i < gpus; i++) {
      devices.add(
          new DeviceSnapshot(i, "NVIDIA H100 80GB", 80L << 30, true, allocated.contains(i)));
    }
    return new NodeSnapshot(id, id, ready, devices);
  }

  private static PendingTask task(String id, long sequence, int gpus) {
    return new PendingTask(id, sequence, ResourceRequest.gpus(gpus), NOW);
  }
}
