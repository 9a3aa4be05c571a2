package io.gpupool.controller.core;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Learns run times from finished tasks: an exponentially weighted moving average per (tenant, task
 * name). A user-given estimate always takes precedence.
 *
 * <p>Not thread-safe; owned by the scheduling loop (or the simulator), fed on every completion.
 */
public final class RuntimeEstimator implements RuntimeEstimates {
  /** Weight of the newest observation; recent runs matter more as code and data change. */
  static final double ALPHA = 0.3;

  private final Map<String, Double> secondsByKey = new HashMap<>();

  /** Records that a task of this profile ran for {@code actual}. */
  public void observe(TaskProfile profile, Duration actual) {
    double seconds = actual.toMillis() / 1000.0;
    secondsByKey.merge(key(profile), seconds, (old, now) -> ALPHA * now + (1 - ALPHA) * old);
  }

  @Override
  public Optional<Duration> estimate(TaskProfile profile) {
    if (profile.userEstimate().isPresent()) {
      return profile.userEstimate();
    }
    Double seconds = secondsByKey.get(key(profile));
    return seconds == null
        ? Optional.empty()
        : Optional.of(Duration.ofMillis(Math.round(seconds * 1000)));
  }

  private static String key(TaskProfile profile) {
    return profile.tenant() + "\u0000" + profile.name();
  }
}
