package io.gpupool.cli.client;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@code stty} on the controlling terminal ({@code /dev/tty}), for what the JDK cannot do: a
 * terminal's size and its input mode. Stateless and thread-safe.
 */
final class Stty {
  private static final Logger LOG = LoggerFactory.getLogger(Stty.class);
  private static final File TTY = new File("/dev/tty");
  private static final long WAIT_SECONDS = 2;

  private Stty() {}

  /** Runs stty on the controlling terminal; its output, or empty when it failed. */
  static Optional<String> run(String... args) {
    if (!TTY.exists()) {
      return Optional.empty();
    }
    List<String> command = new ArrayList<>(List.of("stty"));
    command.addAll(List.of(args));
    try {
      Process process =
          new ProcessBuilder(command)
              .redirectInput(TTY)
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return Optional.empty();
      }
      return process.exitValue() == 0 ? Optional.of(out) : Optional.empty();
    } catch (IOException e) {
      LOG.debug("stty {} failed; the terminal stays as it is", args, e);
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }
}
