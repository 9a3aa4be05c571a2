package io.gpupool.controller.store;

import io.gpupool.proto.v1.Task;

/**
 * A task row.
 *
 * @param sequence submission order, unique
 * @param task the task as clients see it
 * @param lastEventSequence sequence of the task's newest stored event
 */
public record StoredTask(long sequence, Task task, long lastEventSequence) {}
