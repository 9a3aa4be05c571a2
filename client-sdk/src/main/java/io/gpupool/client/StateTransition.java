package io.gpupool.client;

import java.time.Instant;
import java.util.Objects;

/**
 * One change of a task's state, as recorded by the controller. Immutable.
 *
 * @param state the state entered
 * @param reason why, in words; empty if the controller gave none
 * @param time when the controller recorded the change
 */
public record StateTransition(TaskState state, String reason, Instant time) {
  /** Checks that no component is null. */
  public StateTransition {
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(time, "time");
  }
}
