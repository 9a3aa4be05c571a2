package io.gpupool.controller.core;

import java.util.List;
import java.util.Map;

/**
 * The output of one scheduling pass.
 *
 * @param placements tasks to start now, in decision order
 * @param waiting for every task left pending, why it could not be placed (shown to users)
 * @param reservations GPUs held back for tasks at the head of the queue
 * @param preemptions running tasks to stop so higher-priority ones can start
 */
public record Plan(
    List<Placement> placements,
    Map<String, String> waiting,
    List<Reservation> reservations,
    List<Preemption> preemptions) {
  public Plan {
    placements = List.copyOf(placements);
    waiting = Map.copyOf(waiting);
    reservations = List.copyOf(reservations);
    preemptions = List.copyOf(preemptions);
  }

  /** A plan without reservations or preemptions. */
  public Plan(List<Placement> placements, Map<String, String> waiting) {
    this(placements, waiting, List.of(), List.of());
  }
}
