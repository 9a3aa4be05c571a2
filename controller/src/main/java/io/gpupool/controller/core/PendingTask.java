package io.gpupool.controller.core;

import java.time.Instant;
import java.util.Optional;

/**
 * A task waiting for placement.
 *
 * @param id task id
 * @param sequence submission order, unique; ties in every ordering break on it
 * @param request what it needs
 * @param profile who it is for and how urgent it is
 * @param submitTime when it was accepted (for aging)
 * @param gang the gang it belongs to, if any: its members are placed all together or not at all
 */
public record PendingTask(
    String id,
    long sequence,
    ResourceRequest request,
    TaskProfile profile,
    Instant submitTime,
    Optional<Gang> gang) {

  /** A task outside any gang. */
  public PendingTask(
      String id, long sequence, ResourceRequest request, TaskProfile profile, Instant submitTime) {
    this(id, sequence, request, profile, submitTime, Optional.empty());
  }

  /** A task of the default tenant with no hints, outside any gang. */
  public PendingTask(String id, long sequence, ResourceRequest request, Instant submitTime) {
    this(id, sequence, request, TaskProfile.DEFAULT, submitTime, Optional.empty());
  }
}
