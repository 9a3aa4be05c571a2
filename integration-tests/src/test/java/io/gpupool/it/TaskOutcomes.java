package io.gpupool.it;

import io.gpupool.client.GpuPoolClient;
import io.gpupool.client.GpuPoolException;
import io.gpupool.client.Node;
import io.gpupool.client.Placement;
import io.gpupool.client.StateTransition;
import io.gpupool.client.Task;
import io.gpupool.client.TaskPage;
import io.gpupool.client.TaskQuery;
import io.gpupool.client.TaskState;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.assertj.core.api.SoftAssertions;

/**
 * How the tasks of a chaos run ended, as the controller reports them: waiting for all of them to
 * end, and checking that each succeeded exactly once. Stateless.
 */
final class TaskOutcomes {
  private TaskOutcomes() {}

  /** Every task the controller knows, by id; empty while the controller cannot be reached. */
  static Optional<Map<String, Task>> listAll(GpuPoolClient client) {
    Map<String, Task> all = new LinkedHashMap<>();
    TaskQuery query = TaskQuery.builder().pageSize(TaskQuery.MAX_PAGE_SIZE).build();
    try {
      TaskPage page = client.listTasks(query);
      page.tasks().forEach(t -> all.put(t.id(), t));
      while (page.nextPageToken().isPresent()) {
        page = client.listTasks(query.toBuilder().pageToken(page.nextPageToken().get()).build());
        page.tasks().forEach(t -> all.put(t.id(), t));
      }
    } catch (GpuPoolException e) {
      return Optional.empty();
    }
    return Optional.of(all);
  }

  /**
   * A one-line summary for progress logs: how many tasks are in each state, and how many run on
   * each node, e.g. {@code {PENDING=30, RUNNING=16, SUCCEEDED=60}, running on {agent-a=8,
   * agent-b=8}}.
   */
  static String summary(GpuPoolClient client) {
    try {
      Map<String, String> names =
          client.listNodes().stream().collect(Collectors.toMap(Node::id, Node::name));
      Map<String, Task> all = listAll(client).orElse(Map.of());
      Map<TaskState, Long> byState =
          all.values().stream()
              .collect(Collectors.groupingBy(Task::state, TreeMap::new, Collectors.counting()));
      Map<String, Long> runningOn =
          all.values().stream()
              .filter(t -> t.state() == TaskState.RUNNING || t.state() == TaskState.SCHEDULED)
              .flatMap(t -> t.placement().stream())
              .collect(
                  Collectors.groupingBy(
                      p -> names.getOrDefault(p.nodeId(), p.nodeId()),
                      TreeMap::new,
                      Collectors.counting()));
      return byState + ", scheduled or running on " + runningOn;
    } catch (GpuPoolException e) {
      return "(controller unreachable: " + e.getMessage() + ")";
    }
  }

  /** Waits until the controller knows at least {@code count} tasks and all of them have ended. */
  static void awaitAllEnded(
      ProcessCluster cluster, GpuPoolClient client, int count, Duration atMost) {
    cluster.await(
        "all " + count + " tasks ended",
        atMost,
        () -> {
          Map<String, Task> all = listAll(client).orElse(Map.of());
          return all.size() >= count && all.values().stream().allMatch(Task::isTerminal);
        });
  }

  /**
   * Checks that the controller knows exactly the submitted tasks (a retried submit made no second
   * task), that each SUCCEEDED, and that their marker files show each ran once. Reports every
   * problem at once, with the states and reasons of the tasks that did not succeed and the tail of
   * the processes' logs.
   *
   * @param fileProblems what {@link MarkerTasks#problems} found
   */
  static void assertEachSucceededExactlyOnce(
      ProcessCluster cluster,
      GpuPoolClient client,
      Set<String> submittedIds,
      List<String> fileProblems) {
    Map<String, Task> all = listAll(client).orElseThrow();
    List<String> notSucceeded =
        all.values().stream()
            .filter(t -> t.state() != TaskState.SUCCEEDED)
            .map(TaskOutcomes::describe)
            .toList();
    SoftAssertions softly = new SoftAssertions();
    softly
        .assertThat(all.keySet())
        .as("the controller knows exactly the submitted tasks, one per request id")
        .isEqualTo(submittedIds);
    softly
        .assertThat(notSucceeded)
        .overridingErrorMessage(
            () ->
                notSucceeded.size() + " tasks did not succeed:\n" + String.join("\n", notSucceeded))
        .isEmpty();
    softly
        .assertThat(fileProblems)
        .overridingErrorMessage(
            () ->
                fileProblems.size()
                    + " tasks did not run exactly once:\n"
                    + String.join("\n", fileProblems))
        .isEmpty();
    List<AssertionError> errors = softly.assertionErrorsCollected();
    if (!errors.isEmpty()) {
      String failures =
          errors.stream().map(Throwable::getMessage).collect(Collectors.joining("\n\n"));
      throw new AssertionError(failures + "\n\n" + cluster.logs());
    }
  }

  private static String describe(Task task) {
    return task.id()
        + " "
        + task.name()
        + " "
        + task.state()
        + " exit="
        + task.exitCode()
        + " reason='"
        + task.reason()
        + "' result='"
        + task.resultMessage()
        + "' code='"
        + task.resultReasonCode()
        + "' node="
        + task.placement().map(Placement::nodeId).orElse("-")
        + " transitions="
        + task.transitions().stream()
            .map(StateTransition::state)
            .map(Enum::name)
            .collect(Collectors.joining(">"));
  }
}
