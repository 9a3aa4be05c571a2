/**
 * The commands that run gpupool itself: {@code dev} (controller and agent in one process), {@code
 * controller} and {@code agent}. They wire the controller and agent modules from flags and block
 * until interrupted. Depends on the controller and agent modules and picocli.
 */
package io.gpupool.cli.server;
