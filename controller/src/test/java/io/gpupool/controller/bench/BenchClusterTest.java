package io.gpupool.controller.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpupool.controller.core.ClusterSnapshot;
import io.gpupool.controller.core.DeviceSnapshot;
import io.gpupool.controller.core.Placement;
import io.gpupool.controller.core.Plan;
import io.gpupool.controller.core.Preemption;
import io.gpupool.controller.core.RunningTask;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The benchmark's cluster state applies plans as the live loop would, and refuses bad ones. */
@Timeout(60)
class BenchClusterTest {
  private final Workload workload = Workload.generate(BenchConfig.of(3, 4, 10));

  @Test
  void aPlacementStartsTheTaskOnItsGpus() {
    BenchCluster cluster = new BenchCluster(workload);
    String task = workload.queue().get(0).id();
    String node = workload.nodes().get(0).id();
    int free = firstFree(0);

    cluster.apply(plan(new Placement(task, node, List.of(free))), workload.start());

    ClusterSnapshot after = cluster.snapshot(workload.start());
    assertThat(after.queue()).noneMatch(t -> t.id().equals(task));
    assertThat(after.running())
        .anyMatch(r -> r.id().equals(task) && r.deviceIndices().equals(List.of(free)));
    assertThat(after.nodes().get(0).devices().get(free).allocated()).isTrue();
  }

  @Test
  void aPlacementOnABusyGpuFailsTheRun() {
    BenchCluster cluster = new BenchCluster(workload);
    String node = workload.nodes().get(0).id();
    int free = firstFree(0);
    cluster.apply(
        plan(new Placement(workload.queue().get(0).id(), node, List.of(free))), workload.start());

    assertThatThrownBy(
            () ->
                cluster.apply(
                    plan(new Placement(workload.queue().get(1).id(), node, List.of(free))),
                    workload.start()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("busy GPU");
  }

  @Test
  void aPreemptedTaskStopsAtTheNextCompletions() {
    BenchCluster cluster = new BenchCluster(workload);
    String task = workload.queue().get(0).id();
    cluster.apply(
        plan(new Placement(task, workload.nodes().get(0).id(), List.of(firstFree(0)))),
        workload.start());
    cluster.apply(
        new Plan(List.of(), Map.of(), List.of(), List.of(new Preemption(task, "other", "test"))),
        workload.start());

    assertThat(cluster.snapshot(workload.start()).running())
        .filteredOn(r -> r.id().equals(task))
        .singleElement()
        .matches(RunningTask::beingPreempted);
    // A share of zero completes nothing but the tasks told to stop (and one other).
    cluster.completeSome(0, new Random(1));

    assertThat(cluster.snapshot(workload.start()).running()).noneMatch(r -> r.id().equals(task));
  }

  @Test
  void completionsFreeTheGpusOfTheTasksThatEnd() {
    BenchCluster cluster = new BenchCluster(workload);
    long busyBefore = busy(cluster.snapshot(workload.start()));
    int runningBefore = cluster.runningCount();

    cluster.completeSome(0.5, new Random(1));

    ClusterSnapshot after = cluster.snapshot(workload.start());
    assertThat(cluster.runningCount()).isLessThan(runningBefore);
    assertThat(busy(after)).isEqualTo(busyBefore - (runningBefore - cluster.runningCount()));
  }

  private int firstFree(int node) {
    return workload.nodes().get(node).devices().stream()
        .filter(DeviceSnapshot::isFree)
        .findFirst()
        .orElseThrow()
        .index();
  }

  private static long busy(ClusterSnapshot snapshot) {
    return snapshot.nodes().stream()
        .flatMap(n -> n.devices().stream())
        .filter(DeviceSnapshot::allocated)
        .count();
  }

  private static Plan plan(Placement placement) {
    return new Plan(List.of(placement), Map.of());
  }
}
