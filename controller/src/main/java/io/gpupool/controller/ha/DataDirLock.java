package io.gpupool.controller.ha;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Keeps one controller per data dir: an exclusive OS lock on {@code DATA_DIR/controller.lock}, held
 * until {@link #close()} or the end of the process (kill -9 included). The embedded H2 store has no
 * leader election, so a second controller on the same files must not start; the OS lock also covers
 * two controllers in one JVM, which H2's own file lock lets share a database.
 *
 * <p>Thread-safe; closing again does nothing.
 */
public final class DataDirLock implements AutoCloseable {
  static final String FILE_NAME = "controller.lock";

  /**
   * Lock files held in this JVM. Checked before opening the file: closing a second channel on a
   * locked file would release the first channel's POSIX lock (see {@link FileLock}).
   */
  private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

  private final Path file;
  private final FileChannel channel;
  private final FileLock lock;
  private final AtomicBoolean released = new AtomicBoolean();

  private DataDirLock(Path file, FileChannel channel, FileLock lock) {
    this.file = file;
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the lock of {@code dataDir} (which must exist) and writes this process id into it.
   *
   * @throws DataDirInUseException when another controller holds it
   * @throws IOException when the lock file cannot be created or written
   */
  public static DataDirLock acquire(Path dataDir) throws IOException {
    Path file = dataDir.toRealPath().resolve(FILE_NAME);
    if (!HELD.add(file)) {
      throw new DataDirInUseException(dataDir.toAbsolutePath(), holder(file));
    }
    try {
      FileChannel channel =
          FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      try {
        FileLock lock = channel.tryLock();
        if (lock == null) {
          throw new DataDirInUseException(dataDir.toAbsolutePath(), holder(file));
        }
        channel.truncate(0);
        channel.write(
            ByteBuffer.wrap(
                (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)));
        channel.force(false);
        return new DataDirLock(file, channel, lock);
      } catch (IOException | RuntimeException e) {
        channel.close();
        throw e;
      }
    } catch (IOException | RuntimeException e) {
      HELD.remove(file);
      throw e;
    }
  }

  /** The pid the holder wrote, or "" when the file cannot be read. */
  private static String holder(Path file) {
    try {
      return Files.readString(file, StandardCharsets.US_ASCII).strip();
    } catch (IOException e) {
      return "";
    }
  }

  /** Releases the lock. */
  @Override
  public void close() throws IOException {
    if (!released.compareAndSet(false, true)) {
      return;
    }
    try {
      lock.release();
    } finally {
      try {
        channel.close();
      } finally {
        HELD.remove(file);
      }
    }
  }
}
