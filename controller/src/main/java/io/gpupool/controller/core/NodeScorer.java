package io.gpupool.controller.core;

import java.util.List;

/**
 * Rates a feasible placement of a task on a node, in [0,1], higher is better. The scheduler sums
 * the configured scorers times their weights and takes the best node; ties break on node id.
 */
public interface NodeScorer {

  /**
   * @param node the node
   * @param freeBefore GPUs free on the node before this placement
   * @param chosen the GPUs the task would take
   */
  double score(NodeSnapshot node, int freeBefore, List<Integer> chosen);

  /** Bin-pack: prefer the node left fullest, so whole nodes stay free for big tasks. */
  NodeScorer BIN_PACK =
      (node, freeBefore, chosen) ->
          node.devices().isEmpty()
              ? 0
              : 1.0 - (double) (freeBefore - chosen.size()) / node.devices().size();

  /** Spread: prefer the node left emptiest, so load and heat spread out. */
  NodeScorer SPREAD =
      (node, freeBefore, chosen) ->
          node.devices().isEmpty()
              ? 0
              : (double) (freeBefore - chosen.size()) / node.devices().size();

  /**
   * Energy: prefer nodes that already run work, so idle nodes stay idle (and can sit in their
   * lowest power state).
   */
  NodeScorer ENERGY = (node, freeBefore, chosen) -> freeBefore < node.devices().size() ? 1.0 : 0.0;

  /**
   * Efficiency: prefer GPUs that do more work per watt (the mean over the GPUs the task would get).
   */
  NodeScorer EFFICIENCY =
      (node, freeBefore, chosen) -> {
        double sum = 0;
        for (int index : chosen) {
          for (DeviceSnapshot device : node.devices()) {
            if (device.index() == index) {
              sum += WorkPerWatt.of(device.model());
            }
          }
        }
        return chosen.isEmpty() ? 0 : sum / chosen.size();
      };

  /** Availability: prefer nodes whose recent tasks did not fail. */
  NodeScorer AVAILABILITY = (node, freeBefore, chosen) -> node.successRate();

  /**
   * Measured load: prefer the node whose GPUs are least utilized now (spread by utilization). A GPU
   * that does not report utilization counts as busy when it holds work and idle otherwise, never as
   * idle just because the number is missing.
   */
  NodeScorer LOW_UTILIZATION =
      (node, freeBefore, chosen) ->
          node.devices().isEmpty()
              ? 0
              : 1.0
                  - node.devices().stream()
                      .mapToDouble(DeviceSnapshot::utilizationOrEstimate)
                      .average()
                      .orElse(0);
}
