package io.gpupool.agent.workload;

import java.io.IOException;
import java.io.Reader;
import java.util.function.Consumer;

/**
 * Splits a character stream into lines ({@code \n} or {@code \r\n}), cutting a line that grows past
 * a maximum length into pieces, so that a workload printing without newlines cannot make the agent
 * buffer without bound.
 *
 * <p>Not thread-safe; one reader per stream.
 */
final class LineReader {

  private final Reader reader;
  private final int maxLineChars;

  LineReader(Reader reader, int maxLineChars) {
    if (maxLineChars < 1) {
      throw new IllegalArgumentException("maxLineChars must be positive: " + maxLineChars);
    }
    this.reader = reader;
    this.maxLineChars = maxLineChars;
  }

  /**
   * Reads to the end of the stream, handing each line (without its line terminator) to the
   * consumer; a last line without terminator is handed over too.
   *
   * @throws IOException when reading fails; the lines read until then were handed over
   */
  void forEachLine(Consumer<String> consumer) throws IOException {
    StringBuilder line = new StringBuilder();
    char[] buffer = new char[8192];
    int n;
    while ((n = reader.read(buffer)) != -1) {
      for (int i = 0; i < n; i++) {
        char c = buffer[i];
        if (c == '\n') {
          consumer.accept(withoutCarriageReturn(line));
          line.setLength(0);
        } else {
          line.append(c);
          if (line.length() >= maxLineChars) {
            consumer.accept(line.toString());
            line.setLength(0);
          }
        }
      }
    }
    if (line.length() > 0) {
      consumer.accept(withoutCarriageReturn(line));
    }
  }

  private static String withoutCarriageReturn(StringBuilder line) {
    int length = line.length();
    if (length > 0 && line.charAt(length - 1) == '\r') {
      length--;
    }
    return line.substring(0, length);
  }
}
