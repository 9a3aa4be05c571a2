package io.gpupool.agent.workload;

import io.gpupool.proto.v1.TaskSpec;
import java.time.Duration;
import java.util.Optional;

/** The time limits a task spec sets for its runner, with the agent's defaults. Stateless. */
final class SpecLimits {

  /** Time between SIGTERM and SIGKILL when the spec does not say. */
  static final Duration DEFAULT_GRACE_PERIOD = Duration.ofSeconds(10);

  private SpecLimits() {}

  /** The kill grace period: the spec's (never negative), else {@link #DEFAULT_GRACE_PERIOD}. */
  static Duration gracePeriod(TaskSpec spec) {
    return spec.hasKillGracePeriod()
        ? nonNegative(ProtoTime.duration(spec.getKillGracePeriod()))
        : DEFAULT_GRACE_PERIOD;
  }

  /** The maximum run time; empty when unset or not positive (no limit). */
  static Optional<Duration> maxRuntime(TaskSpec spec) {
    return spec.hasMaxRuntime()
        ? Optional.of(ProtoTime.duration(spec.getMaxRuntime())).filter(d -> d.toNanos() > 0)
        : Optional.empty();
  }

  static Duration nonNegative(Duration duration) {
    return duration.isNegative() ? Duration.ZERO : duration;
  }
}
