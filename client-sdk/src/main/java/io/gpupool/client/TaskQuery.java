package io.gpupool.client;

import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Which tasks {@link GpuPoolClient#listTasks} returns, and which page of them. Immutable and
 * thread-safe; build one with {@link #builder()}, or use {@link #all()}.
 *
 * <pre>{@code
 * TaskQuery query = TaskQuery.builder().states(TaskState.PENDING, TaskState.RUNNING).build();
 * TaskPage page = client.listTasks(query);
 * while (page.nextPageToken().isPresent()) {
 *   page = client.listTasks(query.toBuilder().pageToken(page.nextPageToken().get()).build());
 * }
 * }</pre>
 *
 * @param states only tasks in one of these states; empty for all states
 * @param pageSize the most tasks per page (1 to 1000); empty for the controller's default (100)
 * @param pageToken the {@link TaskPage#nextPageToken()} of the previous page; empty for the first
 */
public record TaskQuery(Set<TaskState> states, OptionalInt pageSize, Optional<String> pageToken) {

  /** The largest page the controller returns. */
  public static final int MAX_PAGE_SIZE = 1000;

  /**
   * Validates and copies the components.
   *
   * @throws IllegalArgumentException if {@code states} holds {@link TaskState#UNKNOWN} or {@code
   *     pageSize} is out of range
   */
  public TaskQuery {
    states = states.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(states));
    if (states.contains(TaskState.UNKNOWN)) {
      throw new IllegalArgumentException("states cannot filter on UNKNOWN");
    }
    pageSize.ifPresent(
        size -> {
          if (size < 1 || size > MAX_PAGE_SIZE) {
            throw new IllegalArgumentException(
                "pageSize must be between 1 and " + MAX_PAGE_SIZE + ", got " + size);
          }
        });
    Objects.requireNonNull(pageToken, "pageToken");
  }

  /** Returns the query for the first page of all tasks, in the controller's page size. */
  public static TaskQuery all() {
    return builder().build();
  }

  /** Returns a new builder for the first page of all tasks. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns a builder holding this query's values, e.g. to ask for the next page. */
  public Builder toBuilder() {
    Builder builder = new Builder().states(states);
    pageSize.ifPresent(builder::pageSize);
    pageToken.ifPresent(builder::pageToken);
    return builder;
  }

  /** Collects the values of a {@link TaskQuery}. Not thread-safe. */
  public static final class Builder {
    private final Set<TaskState> states = EnumSet.noneOf(TaskState.class);
    private OptionalInt pageSize = OptionalInt.empty();
    private Optional<String> pageToken = Optional.empty();

    private Builder() {}

    /** Restricts the query to these states, replacing any set before; none for all states. */
    public Builder states(TaskState... states) {
      return states(Arrays.asList(states));
    }

    /** Restricts the query to these states, replacing any set before; empty for all states. */
    public Builder states(Collection<TaskState> states) {
      this.states.clear();
      this.states.addAll(states);
      return this;
    }

    /** Sets the most tasks per page, 1 to 1000. */
    public Builder pageSize(int pageSize) {
      this.pageSize = OptionalInt.of(pageSize);
      return this;
    }

    /** Asks for the page after the one that returned this token. */
    public Builder pageToken(String pageToken) {
      this.pageToken = Optional.of(pageToken);
      return this;
    }

    /**
     * Returns the query.
     *
     * @throws IllegalArgumentException if a value is out of range, naming it
     */
    public TaskQuery build() {
      return new TaskQuery(states, pageSize, pageToken);
    }
  }
}
