package io.gpupool.controller.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpupool.proto.v1.LogLine;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The per-task output limits, on small numbers and a clock stepped by hand. */
@Timeout(10)
class LogLimiterTest {
  private static final Instant T0 = Instant.parse("2026-11-25T12:00:00Z");

  // 10 lines or 1000 bytes a second, lines of at most 64 bytes, 25 lines or 10 000 bytes a task.
  private final LogLimiter limiter = new LogLimiter(10, 1000, 64, 25, 10_000);

  @Test
  void linesPastTheRateAreDroppedWithOneMarkerWhenTheNextSecondBegins() {
    List<String> first = texts(limiter.admit("t-1", lines(15), T0));
    assertThat(first).hasSize(10).allMatch(text -> text.startsWith("line "));

    List<String> next = texts(limiter.admit("t-1", lines(1), T0.plusSeconds(1)));

    assertThat(next)
        .containsExactly(
            "[gpupool: 5 lines dropped: log rate limit of 10 lines or 1000 bytes per second per"
                + " task]",
            "line 0");
  }

  @Test
  void aQuietTaskGetsItsMarkerFromTheSweepAndEndedTasksAreForgotten() {
    limiter.admit("t-1", lines(12), T0);
    limiter.admit("t-2", lines(1), T0);
    List<String> marked = new ArrayList<>();

    limiter.sweep(T0.plusMillis(500), id -> true, (id, line) -> marked.add(id));
    assertThat(marked).as("the second is not over").isEmpty();
    // sweeps run at most once a second
    limiter.sweep(T0.plusSeconds(2), id -> !id.equals("t-2"), (id, line) -> marked.add(id));

    assertThat(marked).containsExactly("t-1");
    assertThat(limiter.tracked()).isEqualTo(1);
  }

  @Test
  void bytesCountTooAndALongLineIsCutAtTheLineLimitWithAMarker() {
    String longLine = "é".repeat(100); // 200 bytes
    List<String> kept =
        texts(limiter.admit("t-1", List.of(LogLine.newBuilder().setText(longLine).build()), T0));

    assertThat(kept).hasSize(1);
    assertThat(kept.get(0))
        .startsWith("é".repeat(32))
        .endsWith("[gpupool: 136 bytes cut: log line limit of 64 bytes]");
    // 1000 bytes a second: lines of 100 bytes fill the second after 9 more
    List<LogLine> hundreds =
        IntStream.range(0, 12)
            .mapToObj(i -> LogLine.newBuilder().setText("x".repeat(100)).build())
            .toList();
    assertThat(limiter.admit("t-1", hundreds, T0)).hasSizeLessThan(10);
  }

  @Test
  void theTotalPerTaskStopsOutputForGoodWithAMarkerThenAndACountAtTheEnd() {
    List<String> stored = new ArrayList<>();
    for (int second = 0; second < 5; second++) {
      stored.addAll(texts(limiter.admit("t-1", lines(10), T0.plusSeconds(second))));
    }

    assertThat(stored.stream().filter(t -> t.startsWith("line "))).hasSize(25);
    assertThat(stored)
        .contains(
            "[gpupool: log limit of 25 lines or 10000 bytes per task reached; later output is"
                + " dropped]");
    assertThat(texts(limiter.finish("t-1", T0.plusSeconds(5))))
        .containsExactly("[gpupool: 25 lines dropped: log limit per task]");
  }

  @Test
  void progressReportsShareTheBudgetOfLines() {
    limiter.admit("t-1", lines(9), T0);
    List<LogLine> markers = new ArrayList<>();

    assertThat(limiter.admitProgress("t-1", T0, markers)).isTrue();
    assertThat(limiter.admitProgress("t-1", T0, markers)).isFalse();
    assertThat(limiter.admitProgress("t-1", T0.plusSeconds(1), markers)).isTrue();
    assertThat(texts(markers)).singleElement().asString().startsWith("[gpupool: 1 lines dropped");
  }

  @Test
  void theMarkerOfTheLastSecondComesWithTheEndOfTheRun() {
    limiter.admit("t-1", lines(13), T0);

    assertThat(texts(limiter.finish("t-1", T0.plus(Duration.ofMillis(10)))))
        .singleElement()
        .asString()
        .startsWith("[gpupool: 3 lines dropped: log rate limit");
    assertThat(Map.of("tracked", limiter.tracked())).containsEntry("tracked", 1);
  }

  private static List<LogLine> lines(int count) {
    return IntStream.range(0, count)
        .mapToObj(i -> LogLine.newBuilder().setText("line " + i).build())
        .toList();
  }

  private static List<String> texts(List<LogLine> lines) {
    return lines.stream().map(LogLine::getText).toList();
  }
}
