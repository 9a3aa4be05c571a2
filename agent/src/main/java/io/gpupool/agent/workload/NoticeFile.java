package io.gpupool.agent.workload;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The file through which the agent tells a workload that it is preempted (the workload finds it in
 * {@code GPUPOOL_NOTICE_FILE}). It does not exist until there is a notice, and it appears whole: a
 * workload that sees it can read all of it.
 *
 * <p>Not thread-safe; one writer per file.
 */
final class NoticeFile {

  /** The file's name inside the task's directory. */
  static final String NAME = ".gpupool-notice.json";

  private static final Set<PosixFilePermission> READABLE =
      PosixFilePermissions.fromString("rw-r--r--");

  private final Path path;

  /**
   * @param taskDirectory the agent's directory for the task, which must exist
   */
  NoticeFile(Path taskDirectory) {
    this.path = taskDirectory.toAbsolutePath().resolve(NAME);
  }

  /** Where the file is (or will be); absolute. */
  Path path() {
    return path;
  }

  /**
   * Removes a notice left over from an earlier attempt of the task, so that a new attempt does not
   * mistake it for its own.
   *
   * @throws IOException when it exists and cannot be removed
   */
  void deleteStale() throws IOException {
    Files.deleteIfExists(path);
  }

  /**
   * Writes the notice: to a temporary file next to it first, then moved into place in one step.
   *
   * @throws IOException when writing fails; no partial notice is left behind
   */
  void write(PreemptionNotice notice) throws IOException {
    Path temp = Files.createTempFile(path.getParent(), NAME, ".tmp");
    try {
      Files.writeString(temp, notice.toJson(), StandardCharsets.UTF_8);
      // The workload may run as another user than the agent: it must be able to read it.
      Files.setPosixFilePermissions(temp, READABLE);
      try {
        Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        // Same directory, so only an exotic file system lands here; a plain rename is the best
        // left.
        Files.move(temp, path, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }
}
