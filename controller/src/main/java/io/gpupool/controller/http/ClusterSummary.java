package io.gpupool.controller.http;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.gpupool.proto.v1.Gpu;
import io.gpupool.proto.v1.Node;
import io.gpupool.proto.v1.NodeState;
import java.util.List;
import java.util.OptionalDouble;

/**
 * The dashboard's headline numbers. GPUs count on every registered node; a GPU is used when a task
 * holds it or shares it, unhealthy when its last status says so or it is quarantined. Immutable.
 *
 * @param nodes registered nodes
 * @param nodesReady nodes whose agent is connected
 * @param gpusTotal GPUs on all nodes
 * @param gpusUsed GPUs a task holds or shares
 * @param gpusUnhealthy GPUs reported unhealthy or quarantined
 * @param meanUtilizationPercent mean utilization of the GPUs of ready nodes that report it; empty
 *     when none does
 * @param pendingTasks pending tasks the caller sees (capped by the API's page)
 * @param runningTasks running tasks the caller sees (capped likewise)
 */
record ClusterSummary(
    int nodes,
    int nodesReady,
    int gpusTotal,
    int gpusUsed,
    int gpusUnhealthy,
    OptionalDouble meanUtilizationPercent,
    int pendingTasks,
    int runningTasks) {

  static ClusterSummary of(List<Node> nodes, int pendingTasks, int runningTasks) {
    List<Gpu> gpus = nodes.stream().flatMap(n -> n.getGpusList().stream()).toList();
    OptionalDouble utilization =
        nodes.stream()
            .filter(n -> n.getState() == NodeState.NODE_STATE_READY)
            .flatMap(n -> n.getGpusList().stream())
            .filter(g -> g.getStatus().hasUtilizationPercent())
            .mapToDouble(g -> g.getStatus().getUtilizationPercent())
            .average();
    return new ClusterSummary(
        nodes.size(),
        (int) nodes.stream().filter(n -> n.getState() == NodeState.NODE_STATE_READY).count(),
        gpus.size(),
        (int)
            gpus.stream()
                .filter(g -> !g.getTaskId().isEmpty() || g.getSharedTaskIdsCount() > 0)
                .count(),
        (int)
            gpus.stream()
                .filter(g -> g.hasQuarantine() || (g.hasStatus() && !g.getStatus().getHealthy()))
                .count(),
        utilization,
        pendingTasks,
        runningTasks);
  }

  /** As JSON: camelCase names like the proto3 JSON of the API; no utilization when unknown. */
  Struct toStruct() {
    Struct.Builder struct =
        Struct.newBuilder()
            .putFields("nodes", number(nodes))
            .putFields("nodesReady", number(nodesReady))
            .putFields("gpusTotal", number(gpusTotal))
            .putFields("gpusUsed", number(gpusUsed))
            .putFields("gpusUnhealthy", number(gpusUnhealthy))
            .putFields("pendingTasks", number(pendingTasks))
            .putFields("runningTasks", number(runningTasks));
    meanUtilizationPercent.ifPresent(
        u -> struct.putFields("meanUtilizationPercent", number(Math.round(u * 10) / 10.0)));
    return struct.build();
  }

  private static Value number(double value) {
    return Value.newBuilder().setNumberValue(value).build();
  }
}
