package io.gpupool.cli.client;

import io.gpupool.cli.text.ProgressLine;
import io.gpupool.proto.v1.LogStream;
import io.gpupool.proto.v1.TaskEvent;
import java.io.PrintWriter;

/**
 * Shows a watched task on a terminal: one status line with a progress bar ({@link ProgressLine}),
 * redrawn in place on every state change and progress report, with the workload's log lines
 * scrolling above it. Once the task ended the last status line stays, followed by a line break.
 *
 * <p>Not thread-safe: feed it from the thread that reads the stream.
 */
final class LiveTaskPrinter {
  /** Back to the line's start and erase it (ANSI "erase in line"). */
  static final String ERASE_LINE = "\r\033[2K";

  private final PrintWriter out;
  private final PrintWriter err;
  private final int width;
  private final TaskProgress progress;
  private boolean statusShown;

  /**
   * @param width the terminal's width in columns; the status line never exceeds it
   */
  LiveTaskPrinter(PrintWriter out, PrintWriter err, String taskId, int width) {
    this.out = out;
    this.err = err;
    this.width = width;
    this.progress = new TaskProgress(taskId);
  }

  /** Takes in one event and updates the screen. */
  void print(TaskEvent event) {
    progress.accept(event);
    if (event.hasLog()) {
      clearStatus();
      PrintWriter target = event.getLog().getStream() == LogStream.LOG_STREAM_STDERR ? err : out;
      target.println(event.getLog().getText());
      target.flush();
    }
    drawStatus();
  }

  /** Ends the status line, so what follows starts on a line of its own. */
  void finish() {
    if (statusShown) {
      out.println();
      out.flush();
      statusShown = false;
    }
  }

  private void clearStatus() {
    if (statusShown) {
      out.print(ERASE_LINE);
      out.flush();
      statusShown = false;
    }
  }

  private void drawStatus() {
    // The cursor stays on the line; the next update overwrites it.
    out.print(ERASE_LINE + ProgressLine.render(progress.status(), width - 1));
    out.flush();
    statusShown = true;
  }
}
