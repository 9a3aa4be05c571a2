/**
 * The controller's mutable view of the cluster: tasks that are not finished, registered nodes and
 * which GPUs are allocated, plus the task lifecycle table.
 *
 * <p>Not thread-safe by design: only the scheduling loop thread ({@code loop}) reads and writes it.
 * Depends on the generated protos, {@code core} and {@code error}; no I/O.
 */
package io.gpupool.controller.state;
