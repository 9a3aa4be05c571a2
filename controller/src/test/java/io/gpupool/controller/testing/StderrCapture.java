package io.gpupool.controller.testing;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Captures what is written to {@link System#err} (where slf4j-simple logs) until closed, for tests
 * that check a log line. Swaps a global stream: use it only in tests that do not run in parallel.
 */
public final class StderrCapture implements AutoCloseable {
  private final PrintStream original = System.err;
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

  /** Starts capturing. */
  public StderrCapture() {
    System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
  }

  /** Everything written so far. */
  public String text() {
    synchronized (bytes) {
      return bytes.toString(StandardCharsets.UTF_8);
    }
  }

  /** Restores the original stream. */
  @Override
  public void close() {
    System.setErr(original);
  }
}
