package io.gpupool.controller.sim;

import java.util.List;

/**
 * A trace has problems: a missing column, or rows that cannot be read. Carries every problem found,
 * each naming its line, so a user can fix the file in one go.
 */
public final class TraceFormatException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** How many problems the message lists before it says how many more there are. */
  static final int MESSAGE_LIMIT = 50;

  private final String trace;
  private final List<String> problems;

  /** An exception for the trace named {@code trace} with at least one problem. */
  public TraceFormatException(String trace, List<String> problems) {
    super(message(trace, problems));
    this.trace = trace;
    this.problems = List.copyOf(problems);
  }

  /** The trace's name, as given to the reader. */
  public String trace() {
    return trace;
  }

  /** Every problem, in line order, each like {@code line 7: duration must be ...}. */
  public List<String> problems() {
    return problems;
  }

  private static String message(String trace, List<String> problems) {
    StringBuilder text =
        new StringBuilder()
            .append("trace ")
            .append(trace)
            .append(" has ")
            .append(problems.size())
            .append(problems.size() == 1 ? " problem:" : " problems:");
    problems.stream().limit(MESSAGE_LIMIT).forEach(p -> text.append("\n  ").append(p));
    if (problems.size() > MESSAGE_LIMIT) {
      text.append("\n  ... and ").append(problems.size() - MESSAGE_LIMIT).append(" more");
    }
    return text.toString();
  }
}
