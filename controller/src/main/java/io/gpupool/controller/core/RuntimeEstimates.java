package io.gpupool.controller.core;

import java.time.Duration;
import java.util.Optional;

/** How long a task is expected to run, as far as anyone knows without running it. */
public interface RuntimeEstimates {

  /** Knows nothing: every estimate is empty unless the user gave one. */
  RuntimeEstimates NONE = profile -> profile.userEstimate();

  /** The expected run time of a task: the user's estimate, else a learned one, else empty. */
  Optional<Duration> estimate(TaskProfile profile);
}
