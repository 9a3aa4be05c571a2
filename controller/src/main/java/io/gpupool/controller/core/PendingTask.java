package io.gpupool.controller.core;

import java.time.Instant;

/**
 * A task waiting for placement.
 *
 * @param id task id
 * @param sequence submission order, unique; ties in every ordering break on it
 * @param request what it needs
 * @param profile who it is for and how urgent it is
 * @param submitTime when it was accepted (for aging)
 */
public record PendingTask(
    String id, long sequence, ResourceRequest request, TaskProfile profile, Instant submitTime) {

  /** A task of the default tenant with no hints. */
  public PendingTask(String id, long sequence, ResourceRequest request, Instant submitTime) {
    this(id, sequence, request, TaskProfile.DEFAULT, submitTime);
  }
}
