package io.gpupool.controller.core;

import java.util.List;
import java.util.Map;

/**
 * The output of one scheduling pass.
 *
 * @param placements tasks to start now, in decision order
 * @param waiting for every task left pending, why it could not be placed (shown to users)
 */
public record Plan(List<Placement> placements, Map<String, String> waiting) {
  public Plan {
    placements = List.copyOf(placements);
    waiting = Map.copyOf(waiting);
  }
}
