/**
 * The {@code gpupool} command: the top of the command tree ({@link io.gpupool.cli.GpuPoolCommand},
 * the runnable jar's main class), and the one place that turns failures into messages and exit
 * codes.
 *
 * <p>May depend on every other {@code io.gpupool.cli} package and, for the server subcommands, on
 * the controller and agent modules; nothing depends on this package.
 */
package io.gpupool.cli;
