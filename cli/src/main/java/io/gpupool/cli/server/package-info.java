/**
 * The commands that run gpupool itself or its core offline: {@code dev} (controller and agent in
 * one process), {@code controller}, {@code agent}, {@code simulate} (trace replay through the
 * scheduling core) and {@code bench}. They wire the controller and agent modules from flags; the
 * long-running ones block until interrupted. Depends on the controller and agent modules, picocli,
 * and {@link io.gpupool.cli.client.SavedTokens} (where {@code dev} leaves its admin token for the
 * CLI).
 */
package io.gpupool.cli.server;
