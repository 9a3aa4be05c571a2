package io.gpupool.agent.workload;

/**
 * Recognizes the control lines a workload writes to its standard output to talk to the agent. They
 * share the {@value ProgressLineParser#PREFIX} prefix with progress lines but are neither progress
 * nor output: the agent acts on them and reports nothing.
 *
 * <p>Today there is one: {@code ##gpupool checkpointed}, optionally followed by whitespace and any
 * text, with which a preempted workload says that it saved its state and may be stopped at once.
 *
 * <p>Pure and stateless.
 */
final class ControlLines {

  /** The token after the prefix that makes a line a checkpointed line. */
  static final String CHECKPOINTED = "checkpointed";

  private ControlLines() {}

  /** True for {@code ##gpupool checkpointed} with nothing or whitespace and any text after it. */
  static boolean isCheckpointed(String line) {
    String prefix = ProgressLineParser.PREFIX + CHECKPOINTED;
    return line.startsWith(prefix)
        && (line.length() == prefix.length()
            || Character.isWhitespace(line.charAt(prefix.length())));
  }

  /** True when the line is a control line. */
  static boolean isControlLine(String line) {
    return isCheckpointed(line);
  }
}
