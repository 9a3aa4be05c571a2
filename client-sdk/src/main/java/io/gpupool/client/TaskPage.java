package io.gpupool.client;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One page of {@link GpuPoolClient#listTasks}. Immutable.
 *
 * @param tasks the tasks of this page, oldest first
 * @param nextPageToken pass to {@link TaskQuery.Builder#pageToken} for the next page; empty when
 *     this is the last page
 */
public record TaskPage(List<Task> tasks, Optional<String> nextPageToken) {
  /** Checks that no component is null and copies the tasks. */
  public TaskPage {
    tasks = List.copyOf(tasks);
    Objects.requireNonNull(nextPageToken, "nextPageToken");
  }
}
