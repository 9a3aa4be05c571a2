package io.gpupool.controller.store;

import java.util.List;

/**
 * What the controller loads at start.
 *
 * @param activeTasks tasks not in a terminal state, in submission order
 * @param nodes every registered node
 * @param maxTaskSequence highest task sequence ever used (0 when none)
 */
public record StoredState(
    List<StoredTask> activeTasks, List<NodeRecord> nodes, long maxTaskSequence) {}
