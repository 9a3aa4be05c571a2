package io.gpupool.agent.workload;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class LineReaderTest {

  private static List<String> lines(String text, int max) throws IOException {
    List<String> lines = new ArrayList<>();
    new LineReader(new StringReader(text), max).forEachLine(lines::add);
    return lines;
  }

  @Test
  void splitsOnNewlinesAndDropsCarriageReturns() throws IOException {
    assertThat(lines("a\r\nb\n\nc", 100)).containsExactly("a", "b", "", "c");
  }

  @Test
  void emptyInputGivesNoLines() throws IOException {
    assertThat(lines("", 100)).isEmpty();
  }

  @Test
  void cutsOverlongLinesIntoPieces() throws IOException {
    assertThat(lines("abcdefg\nhi\n", 3)).containsExactly("abc", "def", "g", "hi");
  }
}
