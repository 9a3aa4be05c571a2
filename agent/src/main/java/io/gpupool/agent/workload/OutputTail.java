package io.gpupool.agent.workload;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Follows one output file that a workload appends to, from a given offset, and hands over its lines
 * (see {@link LineSplitter}) as they are completed. The file may not exist yet. It can empty the
 * file ({@link #truncate}); a file found shorter than the offset was emptied by someone else (the
 * workload may truncate its own stdout), and is followed again from its start.
 *
 * <p>Not thread-safe; its task's poller turns use it one at a time.
 */
final class OutputTail implements AutoCloseable {

  /** Bytes read at once. */
  private static final int CHUNK = 64 * 1024;

  private final Path file;
  private final LineSplitter splitter;
  private FileChannel channel;

  /**
   * @param offset where to start: how far the file was reported before
   * @param maxLineBytes lines longer than this are cut into pieces
   */
  OutputTail(Path file, long offset, int maxLineBytes) {
    this.file = file;
    this.splitter = new LineSplitter(maxLineBytes, offset);
  }

  /**
   * Reads what was appended since the last call, at most about {@code maxBytes}, handing over every
   * line completed.
   *
   * @return true when the end of the file was reached (or there is no file yet)
   * @throws IOException when reading fails
   */
  boolean read(long maxBytes, LineSplitter.LineConsumer consumer) throws IOException {
    if (!open()) {
      return true;
    }
    long size = channel.size();
    if (size < splitter.offset()) {
      splitter.restart(0, false);
    }
    long read = 0;
    ByteBuffer buffer = null;
    while (splitter.offset() < size && read < maxBytes) {
      if (buffer == null) {
        buffer = ByteBuffer.allocate((int) Math.min(CHUNK, size - splitter.offset()));
      }
      buffer.clear();
      int n = channel.read(buffer, splitter.offset());
      if (n <= 0) {
        break;
      }
      splitter.feed(buffer.array(), 0, n, consumer);
      read += n;
    }
    return splitter.offset() >= size;
  }

  /** The file's size now; 0 while there is no file. */
  long size() throws IOException {
    return open() ? channel.size() : 0;
  }

  /** The offset of the next byte to read. */
  long position() {
    return splitter.offset();
  }

  /**
   * Empties the file and follows it from its start again. Bytes the workload appends between the
   * caller's last read and this call are lost.
   *
   * @param keepPartialLine whether the start of a line read before (without its end) is kept, to be
   *     completed by what the workload appends next; false drops it
   */
  void truncate(boolean keepPartialLine) throws IOException {
    if (!open()) {
      return;
    }
    channel.truncate(0);
    splitter.restart(0, keepPartialLine);
  }

  /** Goes on from a later offset, dropping the bytes in between and the line being read. */
  void skipTo(long offset) {
    splitter.restart(offset, false);
  }

  private boolean open() throws IOException {
    if (channel == null) {
      try {
        // Owned by the agent's user: the supervisor created it.
        channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
      } catch (NoSuchFileException e) {
        return false;
      }
    }
    return true;
  }

  /** Hands over a last line without terminator: the file is complete. */
  void finish(LineSplitter.LineConsumer consumer) {
    splitter.finish(consumer);
  }

  @Override
  public void close() throws IOException {
    if (channel != null) {
      channel.close();
      channel = null;
    }
  }
}
