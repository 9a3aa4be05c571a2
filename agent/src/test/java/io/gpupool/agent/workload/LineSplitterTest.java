package io.gpupool.agent.workload;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class LineSplitterTest {

  private final List<String> lines = new ArrayList<>();
  private final List<Long> offsets = new ArrayList<>();

  private void consume(String text, long endOffset) {
    lines.add(text);
    offsets.add(endOffset);
  }

  private List<String> split(String text, int max) {
    LineSplitter splitter = new LineSplitter(max, 0);
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    splitter.feed(bytes, 0, bytes.length, this::consume);
    splitter.finish(this::consume);
    return lines;
  }

  @Test
  void splitsOnNewlinesAndDropsCarriageReturns() {
    assertThat(split("a\r\nb\n\nc", 100)).containsExactly("a", "b", "", "c");
    assertThat(offsets).containsExactly(3L, 5L, 6L, 7L);
  }

  @Test
  void emptyInputGivesNoLines() {
    assertThat(split("", 100)).isEmpty();
  }

  @Test
  void cutsOverlongLinesIntoPieces() {
    assertThat(split("abcdefg\nhi\n", 4)).containsExactly("abcd", "efg", "hi");
    assertThat(offsets).containsExactly(4L, 8L, 11L);
  }

  @Test
  void cutsBetweenCharactersNeverInsideOne() {
    // "é" is two bytes: a cut after 5 bytes would split the third one.
    assertThat(split("ééé\n", 5)).containsExactly("éé", "é");
    assertThat(offsets).containsExactly(4L, 7L);
  }

  @Test
  void linesFedInPiecesComeOutWholeWithOffsetsFromTheStart() {
    LineSplitter splitter = new LineSplitter(100, 10);
    byte[] bytes = "hé\nwor".getBytes(StandardCharsets.UTF_8);
    for (byte b : bytes) {
      splitter.feed(new byte[] {b}, 0, 1, this::consume);
    }
    byte[] rest = "ld\n".getBytes(StandardCharsets.UTF_8);
    splitter.feed(rest, 0, rest.length, this::consume);

    assertThat(lines).containsExactly("hé", "world");
    assertThat(offsets).containsExactly(14L, 20L);
    assertThat(splitter.offset()).isEqualTo(20);
  }

  @Test
  void lastLineWithoutTerminatorWaitsForFinish() {
    LineSplitter splitter = new LineSplitter(100, 0);
    byte[] bytes = "done\npartial".getBytes(StandardCharsets.UTF_8);
    splitter.feed(bytes, 0, bytes.length, this::consume);
    assertThat(lines).containsExactly("done");

    splitter.finish(this::consume);

    assertThat(lines).containsExactly("done", "partial");
    assertThat(offsets).containsExactly(5L, 12L);
  }
}
