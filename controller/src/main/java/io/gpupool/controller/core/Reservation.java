package io.gpupool.controller.core;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * GPUs held back for the task at the head of the queue (EASY backfill): later tasks may use them
 * only if they are expected to finish before {@code expectedStart}.
 *
 * @param taskId the task the GPUs are kept for
 * @param nodeId where
 * @param deviceIndices which GPUs
 * @param expectedStart when enough of them are expected to be free; empty when the running tasks
 *     there have no estimates
 */
public record Reservation(
    String taskId, String nodeId, List<Integer> deviceIndices, Optional<Instant> expectedStart) {
  public Reservation {
    deviceIndices = List.copyOf(deviceIndices);
  }
}
