package io.gpupool.agent.workload;

import io.gpupool.proto.v1.LogStream;
import java.io.IOException;

/**
 * Reads a command task's stdout and stderr files in its supervisor dir and keeps them small on
 * disk: once a file holds {@link OutputLimits#fileBytes()} or more at the end of a turn, the rest
 * of it is read (or, when more is unread than one turn reads, dropped unread), reported, and the
 * file emptied. The supervisor opened it for appending, so the workload's writes go on at the new
 * end.
 *
 * <p>The order keeps a take-over consistent: the lines read are flushed to the sink, offset 0 is
 * recorded for the file, and only then is it emptied. An agent dying between the last two steps
 * leaves a file whose content a later agent sends again (duplicates); one dying after finds the
 * offset and the file in agreement, and loses at most the few lines read just before the truncation
 * and not yet flushed. A write landing in the microseconds between the last read and the truncation
 * is lost: there is no atomic "empty unless it grew"; the agent empties a file only once it has
 * grown to {@code fileBytes}, so this is rare.
 *
 * <p>Not thread-safe; its task's poller turns use it one at a time.
 */
final class TaskOutputFiles implements AutoCloseable {

  /** Lines of one stream, with the offset just past each, for the task to act on and report. */
  @FunctionalInterface
  interface Lines {
    void line(LogStream stream, String text, long endOffset);
  }

  /** Bytes per read of one file and turn, so that one chatty task cannot hold up the others. */
  static final long MAX_BYTES_PER_TURN = 1024 * 1024;

  private static final int MAX_LINE_BYTES = 64 * 1024;

  private final String taskId;
  private final TaskOutput output;
  private final long fileBytes;
  private final Lines lines;
  private final OutputTail[] tails;
  private final LogStream[] streams = {LogStream.LOG_STREAM_STDOUT, LogStream.LOG_STREAM_STDERR};

  /**
   * @param offsets where to start reading stdout and stderr (as recorded, or zeros)
   * @param output where the lines go (through {@code lines}), and learns of emptied files
   * @param lines receives every line read, in order per stream
   */
  TaskOutputFiles(
      String taskId,
      SupervisorDir dir,
      long[] offsets,
      TaskOutput output,
      long fileBytes,
      Lines lines) {
    this.taskId = taskId;
    this.output = output;
    this.fileBytes = fileBytes;
    this.lines = lines;
    this.tails =
        new OutputTail[] {
          new OutputTail(dir.stdout(), offsets[0], MAX_LINE_BYTES),
          new OutputTail(dir.stderr(), offsets[1], MAX_LINE_BYTES)
        };
  }

  /**
   * One turn: reads what was appended (at most about one turn's worth per file), then, while the
   * workload runs, empties the files that grew large.
   *
   * @param running false once the supervisor is gone: the files are no longer emptied, so that
   *     {@link #drain()} finds the workload's last words
   */
  void read(boolean running) throws IOException {
    for (int i = 0; i < tails.length; i++) {
      read(i, MAX_BYTES_PER_TURN);
    }
    for (int i = 0; running && i < tails.length; i++) {
      if (tails[i].size() >= fileBytes) {
        empty(i);
      }
    }
  }

  /**
   * The end: reads everything and hands over the last lines without terminator. Of a backlog larger
   * than the on-disk limit (a task that wrote a lot while no agent read), only the last {@code
   * fileBytes} are read, where the workload's last words are; the rest is dropped unread.
   */
  void drain() throws IOException {
    long keep = Math.max(fileBytes, MAX_BYTES_PER_TURN);
    for (int i = 0; i < tails.length; i++) {
      OutputTail tail = tails[i];
      long size = tail.size();
      long unread = size - tail.position();
      if (unread > keep) {
        output.flush();
        output.droppedUnread(streams[i], unread - keep);
        tail.skipTo(size - keep);
      }
      read(i, Long.MAX_VALUE);
      int index = i;
      tail.finish((text, end) -> lines.line(streams[index], text, end));
    }
  }

  private void empty(int i) throws IOException {
    OutputTail tail = tails[i];
    long unread = tail.size() - tail.position();
    if (unread > MAX_BYTES_PER_TURN) {
      // The task writes faster than the agent reads: what it wrote since is dropped.
      dropUnread(i, unread);
      return;
    }
    read(i, unread);
    output.flush();
    // Offset 0 on record before the file shrinks: a crash from here on resends, never loses.
    output.rewound(streams[i]);
    // What came meanwhile (the flush may have taken milliseconds), right before the truncation,
    // which loses what is written between the two.
    read(i, MAX_BYTES_PER_TURN);
    tail.truncate(true);
    // The lines just read count from the new start.
    output.rewound(streams[i]);
  }

  private void dropUnread(int i, long unread) throws IOException {
    output.flush();
    output.droppedUnread(streams[i], unread);
    output.rewound(streams[i]);
    tails[i].truncate(false);
  }

  private void read(int i, long maxBytes) throws IOException {
    LogStream stream = streams[i];
    tails[i].read(maxBytes, (text, end) -> lines.line(stream, text, end));
  }

  @Override
  public void close() throws IOException {
    IOException failure = null;
    for (OutputTail tail : tails) {
      try {
        tail.close();
      } catch (IOException e) {
        failure = e;
      }
    }
    if (failure != null) {
      throw new IOException("task " + taskId + ": closing an output file failed", failure);
    }
  }
}
