package io.gpupool.controller.bench;

import io.gpupool.controller.core.DeviceSnapshot;
import io.gpupool.controller.core.NodeSnapshot;
import io.gpupool.controller.core.PendingTask;
import io.gpupool.controller.core.ResourceRequest;
import io.gpupool.controller.core.RunningTask;
import io.gpupool.controller.core.TaskProfile;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Random;

/**
 * The synthetic cluster and queue of a benchmark, the same for the same config.
 *
 * <p>Nodes: H100-like devices (80 GiB), every tenth node A100-like, each node in one of four zones
 * (label {@code zone}). About {@link #PREALLOCATED_SHARE} of the GPUs already run one-GPU
 * preemptible background work of priority 0. Queue: mostly one-GPU tasks, some 2, 4 and 8 GPUs
 * (never more than a node has); a few ask for a GPU model or a zone; a few have a higher priority
 * class; eight tenants; hints and user estimates vary, and submission times spread over the hour
 * before the start, so every queue order has something to sort on.
 *
 * @param start the virtual time of the first pass
 * @param nodes the nodes, all ready, with the background work's GPUs allocated
 * @param background the work holding GPUs at the start
 * @param queue the pending tasks, in submission order
 */
record Workload(
    Instant start,
    List<NodeSnapshot> nodes,
    List<RunningTask> background,
    List<PendingTask> queue) {

  /** Share of GPUs busy with background work before the first pass. */
  static final double PREALLOCATED_SHARE = 0.10;

  static final String H100 = "NVIDIA H100 80GB HBM3";
  static final String A100 = "NVIDIA A100-SXM4-80GB";
  static final int ZONES = 4;
  static final int TENANTS = 8;
  static final int HIGH_PRIORITY = 10;

  private static final Instant START = Instant.parse("2026-11-25T12:00:00Z");
  private static final long MEMORY_BYTES = 80L << 30;

  static Workload generate(BenchConfig config) {
    Random random = new Random(config.seed());
    List<NodeSnapshot> nodes = new ArrayList<>(config.nodes());
    List<RunningTask> background = new ArrayList<>();
    for (int n = 0; n < config.nodes(); n++) {
      String id = nodeId(n);
      String model = n % 10 == 9 ? A100 : H100;
      List<DeviceSnapshot> devices = new ArrayList<>(config.gpusPerNode());
      for (int i = 0; i < config.gpusPerNode(); i++) {
        boolean busy = random.nextDouble() < PREALLOCATED_SHARE;
        devices.add(new DeviceSnapshot(i, model, MEMORY_BYTES, true, busy));
        if (busy) {
          background.add(backgroundTask(background.size(), id, i, random));
        }
      }
      nodes.add(new NodeSnapshot(id, id, true, Map.of("zone", zone(n % ZONES)), devices));
    }
    List<PendingTask> queue = new ArrayList<>(config.tasks());
    for (int t = 0; t < config.tasks(); t++) {
      queue.add(pendingTask(t, config.gpusPerNode(), random));
    }
    return new Workload(START, nodes, background, queue);
  }

  /** Zero-padded, so node ids sort as their numbers do. */
  static String nodeId(int n) {
    return String.format("node-%06d", n);
  }

  private static String zone(int z) {
    return "zone-" + z;
  }

  private static RunningTask backgroundTask(int n, String nodeId, int device, Random random) {
    TaskProfile profile =
        new TaskProfile("background", "background", 0, true, 0.5, 0.1, 0.5, Optional.empty());
    return new RunningTask(
        "bg-" + n,
        nodeId,
        List.of(device),
        ResourceRequest.gpus(1),
        profile,
        START.minusSeconds(random.nextInt(7200)),
        OptionalDouble.empty());
  }

  private static PendingTask pendingTask(int t, int gpusPerNode, Random random) {
    double size = random.nextDouble();
    int gpus = size < 0.70 ? 1 : size < 0.85 ? 2 : size < 0.95 ? 4 : 8;
    double constraint = random.nextDouble();
    String model = constraint < 0.03 ? "H100" : constraint < 0.05 ? "A100" : "";
    Map<String, String> selector =
        constraint >= 0.05 && constraint < 0.08
            ? Map.of("zone", zone(random.nextInt(ZONES)))
            : Map.of();
    ResourceRequest request = new ResourceRequest(Math.min(gpus, gpusPerNode), model, 0, selector);
    boolean high = random.nextDouble() < 0.05;
    TaskProfile profile =
        new TaskProfile(
            "team-" + random.nextInt(TENANTS),
            "job-" + random.nextInt(50),
            high ? HIGH_PRIORITY : 0,
            !high && random.nextDouble() < 0.30,
            random.nextDouble(),
            random.nextDouble(),
            random.nextDouble(),
            random.nextBoolean()
                ? Optional.of(Duration.ofMinutes(1 + random.nextInt(240)))
                : Optional.empty());
    return new PendingTask(
        String.format("task-%07d", t),
        t,
        request,
        profile,
        START.minusSeconds(random.nextInt(3600)));
  }
}
