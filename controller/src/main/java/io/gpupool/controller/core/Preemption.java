package io.gpupool.controller.core;

/**
 * A decision to stop a running task (after a notice) so a higher-priority one can use its GPUs.
 *
 * @param victimId the task to preempt
 * @param forTaskId the task that needs its GPUs
 * @param reason words for the victim's notice and history
 */
public record Preemption(String victimId, String forTaskId, String reason) {}
