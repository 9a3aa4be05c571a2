package io.gpupool.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class TaskSpecTest {

  @Test
  void aCommandIsAllThatIsRequired() {
    TaskSpec spec = TaskSpec.builder().command("nvidia-smi").build();

    assertThat(spec.command()).containsExactly("nvidia-smi");
    assertThat(spec.name()).isEmpty();
    assertThat(spec.gpus()).isEqualTo(1);
    assertThat(spec.env()).isEmpty();
    assertThat(spec.labels()).isEmpty();
    assertThat(spec.workingDir()).isEmpty();
    assertThat(spec.gpuModel()).isEmpty();
    assertThat(spec.maxRuntime()).isEmpty();
    assertThat(spec.killGracePeriod()).isEmpty();
    assertThat(spec.requestId()).isEmpty();
  }

  @Test
  void anEmptyCommandIsRejected() {
    assertThatThrownBy(() -> TaskSpec.builder().name("train").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("invalid task spec: command must not be empty");
  }

  @Test
  void aBlankProgramIsRejected() {
    assertThatThrownBy(() -> TaskSpec.builder().command(" ", "train.py").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("invalid task spec: command[0] (the program) must not be blank");
  }

  @Test
  void fewerThanOneGpuIsRejected() {
    assertThatThrownBy(() -> TaskSpec.builder().command("true").gpus(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("invalid task spec: gpus must be at least 1, got 0");
  }

  @Test
  void everyProblemIsNamedInOneMessage() {
    TaskSpec.Builder builder =
        TaskSpec.builder()
            .gpus(-2)
            .maxRuntime(Duration.ZERO)
            .killGracePeriod(Duration.ofSeconds(-1))
            .requestId("r".repeat(129));

    assertThatThrownBy(builder::build)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "invalid task spec: command must not be empty; gpus must be at least 1, got -2; "
                + "maxRuntime must be positive, got PT0S; "
                + "killGracePeriod must not be negative, got PT-1S; "
                + "requestId must have 1 to 128 characters, got 129");
  }

  @Test
  void nullsAreRejectedAtOnceNamingTheField() {
    assertThatThrownBy(() -> TaskSpec.builder().gpuModel(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("gpuModel");
    assertThatThrownBy(() -> TaskSpec.builder().env("K", null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("K");
    assertThatThrownBy(() -> TaskSpec.builder().command("python", null))
        .isInstanceOf(NullPointerException.class);
  }

  @Test
  void theSpecIsImmutableAndKeepsTheEnvOrder() {
    List<String> argv = new ArrayList<>(List.of("python", "train.py"));
    TaskSpec.Builder builder = TaskSpec.builder().command(argv).env("B", "2").env("A", "1");
    TaskSpec spec = builder.build();

    argv.add("--more");
    builder.env("C", "3");

    assertThat(spec.command()).containsExactly("python", "train.py");
    assertThat(spec.env()).containsExactly(Map.entry("B", "2"), Map.entry("A", "1"));
    assertThatThrownBy(() -> spec.env().put("D", "4"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void toBuilderMakesAnEqualCopyToChange() {
    TaskSpec spec =
        TaskSpec.builder()
            .name("train")
            .command("python", "train.py")
            .env("K", "V")
            .workingDir("/data")
            .gpus(2)
            .gpuModel("A100")
            .maxRuntime(Duration.ofHours(1))
            .killGracePeriod(Duration.ofSeconds(30))
            .label("team", "vision")
            .requestId("r-1")
            .build();

    assertThat(spec.toBuilder().build()).isEqualTo(spec);
    assertThat(spec.toBuilder().gpus(4).build().gpus()).isEqualTo(4);
  }

  @Test
  void toStringShowsEnvNamesButNotTheirValues() {
    TaskSpec spec = TaskSpec.builder().command("true").env("API_TOKEN", "s3cret").build();

    assertThat(spec.toString()).contains("API_TOKEN").doesNotContain("s3cret");
  }

  @Test
  void aQueryRejectsAnOutOfRangePageSizeAndTheUnknownState() {
    assertThatThrownBy(() -> TaskQuery.builder().pageSize(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("pageSize must be between 1 and 1000, got 0");
    assertThatThrownBy(() -> TaskQuery.builder().states(TaskState.UNKNOWN).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("states cannot filter on UNKNOWN");
  }
}
