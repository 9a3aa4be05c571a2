package io.gpupool.agent.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.gpupool.proto.v1.Progress;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class ProgressLineParserTest {

  private static Progress parse(String line) {
    return ProgressLineParser.parse(line).orElseThrow();
  }

  @Test
  void parsesPercentStepMetricsAndMessage() {
    Progress p = parse("##gpupool progress=42 step=420/1000 loss=0.31 some message");

    assertThat(p.getPercent()).isEqualTo(42.0);
    assertThat(p.getStep()).isEqualTo(420);
    assertThat(p.getTotalSteps()).isEqualTo(1000);
    assertThat(p.getMetricsMap()).containsExactly(Map.entry("loss", 0.31));
    assertThat(p.getMessage()).isEqualTo("some message");
  }

  @Test
  void firstTokenThatIsNoPairStartsTheMessage() {
    Progress p = parse("##gpupool progress=33 step 1");

    assertThat(p.getPercent()).isEqualTo(33.0);
    assertThat(p.hasStep()).isFalse();
    assertThat(p.getMessage()).isEqualTo("step 1");
  }

  @Test
  void messageIsTheRestOfTheLineVerbatimEvenWithLaterPairs() {
    Progress p = parse("##gpupool progress=5 epoch  2 of 3: lr=0.1  done ");

    assertThat(p.getMetricsMap()).isEmpty();
    assertThat(p.getMessage()).isEqualTo("epoch  2 of 3: lr=0.1  done ");
  }

  @Test
  void linesWithoutThePrefixAreNotProgress() {
    assertThat(ProgressLineParser.parse("progress=42")).isEmpty();
    assertThat(ProgressLineParser.parse("##gpupool")).isEmpty();
    assertThat(ProgressLineParser.parse("##gpupoolprogress=1")).isEmpty();
    assertThat(ProgressLineParser.parse(" ##gpupool progress=1")).isEmpty();
    assertThat(ProgressLineParser.isProgressLine("##gpupool x")).isTrue();
  }

  @Test
  void prefixAloneGivesEmptyProgress() {
    Progress p = parse("##gpupool ");

    assertThat(p.hasPercent()).isFalse();
    assertThat(p.hasStep()).isFalse();
    assertThat(p.getMessage()).isEmpty();
  }

  @Test
  void percentComesFromStepAndTotalWithoutProgressPair() {
    Progress p = parse("##gpupool step=250/1000");

    assertThat(p.getPercent()).isEqualTo(25.0);
    assertThat(p.getStep()).isEqualTo(250);
    assertThat(p.getTotalSteps()).isEqualTo(1000);
    assertThat(p.getMessage()).isEmpty();
  }

  @Test
  void explicitProgressWinsOverStepRatio() {
    assertThat(parse("##gpupool step=1/2 progress=10").getPercent()).isEqualTo(10.0);
  }

  @Test
  void stepWithoutTotalLeavesPercentUnset() {
    Progress p = parse("##gpupool step=7 training");

    assertThat(p.getStep()).isEqualTo(7);
    assertThat(p.hasTotalSteps()).isFalse();
    assertThat(p.hasPercent()).isFalse();
    assertThat(p.getMessage()).isEqualTo("training");
  }

  @Test
  void percentIsClampedToZeroToHundred() {
    assertThat(parse("##gpupool progress=150").getPercent()).isEqualTo(100.0);
    assertThat(parse("##gpupool progress=-3").getPercent()).isEqualTo(0.0);
    assertThat(parse("##gpupool step=12/10").getPercent()).isEqualTo(100.0);
  }

  @Test
  void fractionalAndExponentNumbersAreAccepted() {
    Progress p = parse("##gpupool progress=12.5 lr=3e-4 acc=.98 delta=+1.");

    assertThat(p.getPercent()).isEqualTo(12.5);
    assertThat(p.getMetricsMap().get("lr")).isCloseTo(3e-4, within(1e-12));
    assertThat(p.getMetricsMap()).containsEntry("acc", 0.98).containsEntry("delta", 1.0);
  }

  @Test
  void badNumbersBecomeMessageText() {
    Progress p = parse("##gpupool loss=0.5 progress=abc rest");

    assertThat(p.getMetricsMap()).containsExactly(Map.entry("loss", 0.5));
    assertThat(p.hasPercent()).isFalse();
    assertThat(p.getMessage()).isEqualTo("progress=abc rest");
  }

  @Test
  void nonFiniteOrHexNumbersBecomeMessageText() {
    assertThat(parse("##gpupool loss=NaN").getMessage()).isEqualTo("loss=NaN");
    assertThat(parse("##gpupool loss=Infinity").getMessage()).isEqualTo("loss=Infinity");
    assertThat(parse("##gpupool loss=1e999").getMessage()).isEqualTo("loss=1e999");
    assertThat(parse("##gpupool loss=0x10").getMessage()).isEqualTo("loss=0x10");
  }

  @Test
  void badStepsBecomeMessageText() {
    assertThat(parse("##gpupool step=1.5 x").getMessage()).isEqualTo("step=1.5 x");
    assertThat(parse("##gpupool step=3/0").getMessage()).isEqualTo("step=3/0");
    assertThat(parse("##gpupool step=-1").getMessage()).isEqualTo("step=-1");
    assertThat(parse("##gpupool step=1/2/3").getMessage()).isEqualTo("step=1/2/3");
    assertThat(parse("##gpupool step=99999999999999999999").hasStep()).isFalse();
  }

  @Test
  void tokensThatAreNotKeyValuePairsStartTheMessage() {
    assertThat(parse("##gpupool =5 x").getMessage()).isEqualTo("=5 x");
    assertThat(parse("##gpupool 9lives=5").getMessage()).isEqualTo("9lives=5");
    assertThat(parse("##gpupool key= x").getMessage()).isEqualTo("key= x");
  }

  @Test
  void metricNamesMayContainDotsSlashesAndDashes() {
    Progress p = parse("##gpupool val/loss=0.2 top-1=0.7 gpu.mem=3");

    assertThat(p.getMetricsMap())
        .containsEntry("val/loss", 0.2)
        .containsEntry("top-1", 0.7)
        .containsEntry("gpu.mem", 3.0);
  }

  @Test
  void laterValueOfTheSameKeyWins() {
    Progress p = parse("##gpupool loss=1 loss=2 step=1/4 step=3");

    assertThat(p.getMetricsMap()).containsExactly(Map.entry("loss", 2.0));
    assertThat(p.getStep()).isEqualTo(3);
    assertThat(p.hasTotalSteps()).isFalse();
    assertThat(p.hasPercent()).isFalse();
  }

  @Test
  void extraWhitespaceBetweenPairsIsSkipped() {
    Progress p = parse("##gpupool   progress=1 \t loss=2   hello");

    assertThat(p.getPercent()).isEqualTo(1.0);
    assertThat(p.getMetricsMap()).containsExactly(Map.entry("loss", 2.0));
    assertThat(p.getMessage()).isEqualTo("hello");
  }

  @Test
  void timeIsLeftForTheCaller() {
    assertThat(parse("##gpupool progress=1").hasTime()).isFalse();
  }

  @Test
  void checkpointedControlLinesAreNotProgress() {
    assertThat(ProgressLineParser.parse("##gpupool checkpointed")).isEmpty();
    assertThat(ProgressLineParser.parse("##gpupool checkpointed step 7 saved")).isEmpty();
    assertThat(ProgressLineParser.isProgressLine("##gpupool checkpointed")).isFalse();
    assertThat(parse("##gpupool checkpointed=1").getMetricsMap())
        .containsExactly(Map.entry("checkpointed", 1.0));
  }
}
