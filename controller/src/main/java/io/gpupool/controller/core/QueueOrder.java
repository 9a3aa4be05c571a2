package io.gpupool.controller.core;

import java.util.List;

/** The order in which pending tasks are considered; the first plugin step of a pass. */
public interface QueueOrder {

  /** The queue in the order to consider it. Deterministic: ties break on sequence. */
  List<PendingTask> order(ClusterSnapshot snapshot);
}
