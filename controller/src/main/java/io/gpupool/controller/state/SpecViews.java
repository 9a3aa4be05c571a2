package io.gpupool.controller.state;

import io.gpupool.controller.core.ResourceRequest;
import io.gpupool.controller.core.TaskProfile;
import io.gpupool.proto.v1.TaskSpec;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The core's view of a task spec: the one place that maps wire fields to scheduling inputs. */
public final class SpecViews {
  private SpecViews() {}

  public static ResourceRequest request(TaskSpec spec) {
    var r = spec.getResources();
    boolean share = r.getGpuMemoryBytes() > 0;
    int gpus = share ? 1 : r.getGpus();
    // The validator refuses inconsistent pins; should one reach here anyway, it is ignored rather
    // than let one task stop every pass.
    boolean pinned = !r.getNode().isEmpty() && r.getDeviceIndicesCount() == gpus;
    return new ResourceRequest(
        gpus,
        r.getGpuModel(),
        r.getMinGpuMemoryBytes(),
        r.getNodeSelectorMap(),
        r.getGpuMemoryBytes(),
        r.getNode(),
        pinned ? r.getDeviceIndicesList() : List.of(),
        spec.hasDiagnostic());
  }

  public static TaskProfile profile(TaskSpec spec) {
    var hints = spec.getHints();
    Optional<Duration> estimate =
        spec.hasRuntimeEstimate()
            ? Optional.of(
                Duration.ofSeconds(
                    spec.getRuntimeEstimate().getSeconds(), spec.getRuntimeEstimate().getNanos()))
            : Optional.empty();
    return new TaskProfile(
        spec.getTenant(),
        spec.getName(),
        spec.getPriority(),
        spec.getPreemptible(),
        hints.getComputeIntensity(),
        hints.getTimeSensitivity(),
        hints.getMemoryNeed(),
        estimate);
  }
}
