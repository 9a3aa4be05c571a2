package io.gpupool.agent.workload;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Splits the bytes of a growing output file into lines ({@code \n} or {@code \r\n}), fed as they
 * arrive, and tells for each line the file offset just past it, so that a reader can record how far
 * it got. A line that grows past a maximum length is cut into pieces (at a UTF-8 character
 * boundary), so that a workload printing without newlines cannot make the agent buffer without
 * bound. Lines are decoded as UTF-8, malformed bytes becoming U+FFFD.
 *
 * <p>Splitting on bytes is safe for UTF-8: a newline byte never occurs inside a multi-byte
 * character.
 *
 * <p>Not thread-safe; one splitter per file.
 */
final class LineSplitter {

  /** Receives the lines of a splitter. */
  @FunctionalInterface
  interface LineConsumer {

    /**
     * @param text the line, without its terminator
     * @param endOffset the file offset just past the line and its terminator
     */
    void line(String text, long endOffset);
  }

  private final int maxLineBytes;
  private byte[] line = new byte[128];
  private int length;
  private long offset;

  /**
   * @param maxLineBytes the longest piece handed over; a longer line is cut
   * @param startOffset the file offset of the first byte that will be fed
   */
  LineSplitter(int maxLineBytes, long startOffset) {
    if (maxLineBytes < 4) {
      throw new IllegalArgumentException("maxLineBytes must be at least 4: " + maxLineBytes);
    }
    this.maxLineBytes = maxLineBytes;
    this.offset = startOffset;
  }

  /** The offset of the next byte to feed. */
  long offset() {
    return offset;
  }

  /**
   * Goes on at another offset: the file was emptied.
   *
   * @param keepPartialLine whether the start of the line being read is kept, to be completed by the
   *     next bytes fed; false drops it
   */
  void restart(long offset, boolean keepPartialLine) {
    this.offset = offset;
    if (!keepPartialLine) {
      length = 0;
    }
  }

  /** Takes the next bytes of the file, handing every line they complete to the consumer. */
  void feed(byte[] bytes, int from, int count, LineConsumer consumer) {
    for (int i = from; i < from + count; i++) {
      byte b = bytes[i];
      offset++;
      if (b == '\n') {
        int end = length > 0 && line[length - 1] == '\r' ? length - 1 : length;
        consumer.line(decode(0, end), offset);
        length = 0;
      } else {
        append(b);
        if (length >= maxLineBytes) {
          cut(consumer);
        }
      }
    }
  }

  /** Hands over the last line when it has no terminator: the file is complete. */
  void finish(LineConsumer consumer) {
    if (length > 0) {
      int end = line[length - 1] == '\r' ? length - 1 : length;
      consumer.line(decode(0, end), offset);
      length = 0;
    }
  }

  /** Hands over a full piece, keeping back the start of a character cut in two. */
  private void cut(LineConsumer consumer) {
    int start = length - 1;
    while (start > 0 && (line[start] & 0xC0) == 0x80) {
      start--; // a continuation byte: the character starts further back
    }
    int keep = length - start < sequenceLength(line[start]) ? length - start : 0;
    if (keep == length) {
      keep = 0; // not UTF-8 anyway: cut where the limit is
    }
    consumer.line(decode(0, length - keep), Math.max(0, offset - keep));
    System.arraycopy(line, length - keep, line, 0, keep);
    length = keep;
  }

  private static int sequenceLength(byte lead) {
    if ((lead & 0x80) == 0) {
      return 1;
    }
    if ((lead & 0xE0) == 0xC0) {
      return 2;
    }
    if ((lead & 0xF0) == 0xE0) {
      return 3;
    }
    return (lead & 0xF8) == 0xF0 ? 4 : 1;
  }

  private void append(byte b) {
    if (length == line.length) {
      line = Arrays.copyOf(line, Math.min(maxLineBytes, line.length * 2));
    }
    line[length++] = b;
  }

  private String decode(int from, int to) {
    return new String(line, from, to - from, StandardCharsets.UTF_8);
  }
}
