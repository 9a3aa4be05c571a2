package io.gpupool.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.gpupool.cli.client.Terminal;
import io.gpupool.proto.v1.ListNodesResponse;
import io.gpupool.proto.v1.ListTasksResponse;
import io.gpupool.proto.v1.Node;
import io.gpupool.proto.v1.SchedulerConfig;
import io.gpupool.proto.v1.SubmitTaskResponse;
import io.gpupool.proto.v1.Task;
import io.gpupool.proto.v1.TaskEvent;
import io.gpupool.proto.v1.TaskResult;
import io.gpupool.proto.v1.TaskState;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every client command that prints data prints, with {@code -o json}, nothing but proto3 JSON of
 * the message it names: one document, or JSON Lines for the commands that stream. Admin commands
 * ({@code token}, {@code whoami}, {@code audit}) are covered against a real controller in {@link
 * AccessCommandsTest}.
 */
@Timeout(60)
class JsonOutputTest {
  private CliHarness cli;

  @BeforeEach
  void startFakeController() throws Exception {
    cli = new CliHarness();
    // A terminal on stdout must not change JSON output.
    cli.terminal = new Terminal(true, 80);
    Task task =
        Task.newBuilder()
            .setId("t-1")
            .setState(TaskState.TASK_STATE_SUCCEEDED)
            .setResult(TaskResult.newBuilder().setExitCode(0))
            .build();
    cli.scheduler.submitted = task;
    cli.scheduler.put(task);
    cli.scheduler.listing.add(task);
    TestEvents events = new TestEvents("t-1");
    cli.scheduler.events.put(
        "t-1",
        List.of(
            events.state(0, TaskState.TASK_STATE_RUNNING, "started"),
            events.stdout("hello"),
            events.ended(1, TaskState.TASK_STATE_SUCCEEDED, "done", task.getResult())));
    cli.scheduler.nodes =
        ListNodesResponse.newBuilder().addNodes(Node.newBuilder().setName("node-a")).build();
    cli.scheduler.clearedNode = Node.newBuilder().setName("node-a").build();
    cli.scheduler.schedulerConfig = SchedulerConfig.newBuilder().setPolicy("fair").build();
  }

  @AfterEach
  void stopFakeController() throws Exception {
    cli.close();
  }

  static Stream<Arguments> commands() {
    return Stream.of(
        document(SubmitTaskResponse::newBuilder, "submit", "-o", "json", "--", "true"),
        document(Task::newBuilder, "get", "-o", "json", "t-1"),
        document(ListTasksResponse::newBuilder, "list", "-o", "json"),
        document(Task::newBuilder, "cancel", "-o", "json", "t-1"),
        document(ListNodesResponse::newBuilder, "nodes", "-o", "json"),
        document(ListNodesResponse::newBuilder, "top", "-o", "json"),
        document(Node::newBuilder, "cordon", "-o", "json", "node-a"),
        document(Node::newBuilder, "uncordon", "-o", "json", "node-a"),
        document(Node::newBuilder, "gpu", "clear-quarantine", "-o", "json", "node-a", "0"),
        document(SchedulerConfig::newBuilder, "policy", "-o", "json"),
        lines(TaskEvent::newBuilder, "logs", "-o", "json", "t-1"),
        lines(TaskEvent::newBuilder, "watch", "-o", "json", "t-1"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("commands")
  void printsOnlyJsonOfItsMessage(
      String command, Supplier<Message.Builder> type, boolean jsonLines, String[] args) {
    CliHarness.Result result = cli.run(args);

    assertThat(result.exitCode()).as(result.err()).isZero();
    List<String> documents = jsonLines ? result.outLines() : List.of(result.out());
    assertThat(documents).isNotEmpty();
    for (String document : documents) {
      assertThatCode(() -> JsonFormat.parser().merge(document, type.get()))
          .as("%s printed %s", command, document)
          .doesNotThrowAnyException();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("commands")
  void everyCommandOffersTheJsonOutputOption(
      String command, Supplier<Message.Builder> type, boolean jsonLines, String[] args) {
    String[] help =
        Stream.concat(Stream.of(args).takeWhile(a -> !a.startsWith("-")), Stream.of("--help"))
            .toArray(String[]::new);

    assertThat(cli.run(help).out()).as(command).contains("-o, --output=FORMAT");
  }

  private static Arguments document(Supplier<Message.Builder> type, String... args) {
    return Arguments.of(String.join(" ", args), type, false, args);
  }

  private static Arguments lines(Supplier<Message.Builder> type, String... args) {
    return Arguments.of(String.join(" ", args), type, true, args);
  }
}
