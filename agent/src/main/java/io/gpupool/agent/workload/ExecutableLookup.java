package io.gpupool.agent.workload;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Checks before the launch that a command's program can be executed, as {@code execvp} would look
 * for it: a name with a slash is a path (relative to the working dir), any other name is looked up
 * in the task's PATH. The supervisor runs the program, so an exec failure would otherwise only show
 * as exit code 127; checked here, the task fails with "exec failed" and never starts, as when the
 * agent started programs itself.
 *
 * <p>Stateless; thread-safe.
 */
final class ExecutableLookup {

  /** Where execvp looks when PATH is unset (glibc's default). */
  static final String DEFAULT_PATH = "/bin:/usr/bin";

  private ExecutableLookup() {}

  /**
   * Why the program cannot be executed; empty when it can.
   *
   * @param program argv[0]
   * @param path the PATH the workload gets; null when it gets none
   * @param workingDirectory where the workload runs
   */
  static Optional<String> problem(String program, String path, Path workingDirectory) {
    if (program.isEmpty()) {
      return Optional.of("the program name (argv[0]) is empty");
    }
    if (program.contains("/")) {
      Path file;
      try {
        file = workingDirectory.resolve(program);
      } catch (InvalidPathException e) {
        return Optional.of("not a path");
      }
      if (!Files.exists(file)) {
        return Optional.of("No such file or directory");
      }
      return executable(file) ? Optional.empty() : Optional.of("Permission denied");
    }
    boolean foundButNotExecutable = false;
    for (String directory : (path == null ? DEFAULT_PATH : path).split(File.pathSeparator, -1)) {
      Path file;
      try {
        file =
            (directory.isEmpty() ? workingDirectory : workingDirectory.resolve(directory))
                .resolve(program);
      } catch (InvalidPathException e) {
        continue;
      }
      if (executable(file)) {
        return Optional.empty();
      }
      foundButNotExecutable |= Files.exists(file);
    }
    return Optional.of(
        foundButNotExecutable
            ? "Permission denied"
            : "No such file or directory (not found on the task's PATH)");
  }

  private static boolean executable(Path file) {
    return Files.isRegularFile(file) && Files.isExecutable(file);
  }
}
