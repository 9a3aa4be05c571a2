package io.gpupool.controller.core;

import java.time.Instant;

/**
 * A task waiting for placement.
 *
 * @param id task id
 * @param sequence submission order, unique; the queue is ordered by it
 * @param request what it needs
 * @param submitTime when it was accepted
 */
public record PendingTask(String id, long sequence, ResourceRequest request, Instant submitTime) {}
