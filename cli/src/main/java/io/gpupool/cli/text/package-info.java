/**
 * Plain-text building blocks of the command line: aligned columns, human durations and ages, and
 * compact numbers, and the one-line progress display.
 *
 * <p>Depends on the JDK only (no gRPC, no protobuf, no picocli), so every piece is testable alone.
 */
package io.gpupool.cli.text;
