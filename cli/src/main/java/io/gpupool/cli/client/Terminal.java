package io.gpupool.cli.client;

import java.util.Optional;

/**
 * Whether the command's output goes to a terminal, and how wide that is: live displays (the
 * progress line of {@code watch}, the redrawn screen of {@code top}) need one, and fall back to
 * plain lines without. Immutable and thread-safe.
 *
 * @param attached true when stdout is a terminal that understands carriage return and ANSI codes
 * @param columns its width in characters (80 when unknown)
 */
public record Terminal(boolean attached, int columns) {
  /** The width assumed when the terminal does not say. */
  public static final int DEFAULT_COLUMNS = 80;

  /** Rejects widths below 1. */
  public Terminal {
    if (columns < 1) {
      throw new IllegalArgumentException("columns must be at least 1, but it is " + columns);
    }
  }

  /** Not a terminal: a pipe or a file, or a test. */
  public static Terminal none() {
    return new Terminal(false, DEFAULT_COLUMNS);
  }

  /**
   * This process's: attached when the JVM has a console (stdin and stdout are a terminal), as wide
   * as {@code COLUMNS} says when the shell exports it, else as {@code stty size} says.
   */
  public static Terminal detect() {
    boolean attached = System.console() != null;
    return new Terminal(attached, columns(System.getenv("COLUMNS"), attached));
  }

  private static int columns(String env, boolean attached) {
    Optional<Integer> columns = positive(env);
    if (columns.isEmpty() && attached) {
      // "ROWS COLUMNS"
      columns = Stty.run("size").flatMap(size -> positive(size.strip().replaceFirst(".*\\s", "")));
    }
    return columns.orElse(DEFAULT_COLUMNS);
  }

  private static Optional<Integer> positive(String text) {
    if (text == null) {
      return Optional.empty();
    }
    try {
      int value = Integer.parseInt(text.strip());
      return value > 0 ? Optional.of(value) : Optional.empty();
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
