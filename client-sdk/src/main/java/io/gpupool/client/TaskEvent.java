package io.gpupool.client;

import java.time.Instant;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * One event in a task's history: a state change, a progress report or a line of output. Events of a
 * task are numbered by {@link #sequence()} from 1 without gaps, and a watch delivers them in that
 * order, each once.
 *
 * <p>All implementations are immutable records; tell them apart with {@code instanceof}:
 *
 * <pre>{@code
 * if (event instanceof TaskEvent.LogLine line) {
 *   System.out.println(line.text());
 * }
 * }</pre>
 */
public sealed interface TaskEvent
    permits TaskEvent.StateChanged, TaskEvent.ProgressReported, TaskEvent.LogLine {

  /** Returns the event's position in the task's history, from 1. */
  long sequence();

  /**
   * The task entered a new state.
   *
   * @param sequence position in the task's history
   * @param state the state entered
   * @param reason why, in words; may be empty
   * @param time when the controller recorded the change
   * @param exitCode the workload's exit code, on the event entering a terminal state after the
   *     process ran; empty otherwise
   * @param resultMessage a short explanation of the outcome, on the event entering a terminal
   *     state; empty otherwise
   */
  record StateChanged(
      long sequence,
      TaskState state,
      String reason,
      Instant time,
      OptionalInt exitCode,
      String resultMessage)
      implements TaskEvent {
    /** Checks that no component is null. */
    public StateChanged {
      Objects.requireNonNull(state, "state");
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(time, "time");
      Objects.requireNonNull(exitCode, "exitCode");
      Objects.requireNonNull(resultMessage, "resultMessage");
    }

    /** Returns whether this is the task's last state change ({@link TaskState#isTerminal()}). */
    public boolean isTerminal() {
      return state.isTerminal();
    }
  }

  /**
   * The workload reported progress.
   *
   * @param sequence position in the task's history
   * @param progress what it reported
   */
  record ProgressReported(long sequence, Progress progress) implements TaskEvent {
    /** Checks that no component is null. */
    public ProgressReported {
      Objects.requireNonNull(progress, "progress");
    }
  }

  /**
   * The workload wrote a line of output.
   *
   * @param sequence position in the task's history
   * @param stream the stream it was written to
   * @param text the line, without its trailing newline
   * @param time when the agent read the line
   */
  record LogLine(long sequence, LogStream stream, String text, Instant time) implements TaskEvent {
    /** Checks that no component is null. */
    public LogLine {
      Objects.requireNonNull(stream, "stream");
      Objects.requireNonNull(text, "text");
      Objects.requireNonNull(time, "time");
    }
  }
}
