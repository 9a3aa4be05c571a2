package io.gpupool.cli.client;

import java.util.Optional;

/**
 * Puts the controlling terminal into character mode without echo ({@code stty -icanon -echo}), so
 * {@code top} sees a single q without Enter, and puts it back as it was on {@link #close()} or when
 * the JVM exits (Ctrl-C). Where {@code stty} or {@code /dev/tty} is missing nothing changes: keys
 * then arrive line by line, with Enter.
 *
 * <p>Not thread-safe; one instance per command run.
 */
final class KeyboardMode implements AutoCloseable {
  private final String saved;
  private final Thread restoreOnExit;

  private KeyboardMode(String saved) {
    this.saved = saved;
    this.restoreOnExit = new Thread(() -> Stty.run(saved), "gpupool-restore-terminal");
    Runtime.getRuntime().addShutdownHook(restoreOnExit);
  }

  /** Character mode until closed; empty when the terminal's mode could not be changed. */
  static Optional<KeyboardMode> characters() {
    Optional<String> saved = Stty.run("-g");
    if (saved.isEmpty() || Stty.run("-icanon", "-echo", "min", "0", "time", "0").isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new KeyboardMode(saved.get().strip()));
  }

  /** Restores the terminal's mode as it was. */
  @Override
  public void close() {
    Stty.run(saved);
    try {
      Runtime.getRuntime().removeShutdownHook(restoreOnExit);
    } catch (IllegalStateException e) {
      // The JVM is already exiting; the hook restores the mode (again), which is harmless.
    }
  }
}
