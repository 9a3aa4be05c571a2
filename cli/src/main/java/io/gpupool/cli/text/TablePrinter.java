package io.gpupool.cli.text;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Lays out rows of text in left-aligned columns separated by two spaces, like {@code kubectl get}.
 *
 * <p>Each column is as wide as its widest cell; the last column is never padded and trailing blanks
 * are trimmed. Not thread-safe: build a table on one thread, then print it.
 */
public final class TablePrinter {
  private static final String GAP = "  ";

  private final int columns;
  private final List<String[]> rows = new ArrayList<>();

  private TablePrinter(int columns) {
    if (columns < 1) {
      throw new IllegalArgumentException("a table needs at least one column");
    }
    this.columns = columns;
  }

  /** A table whose first line is the given header. */
  public static TablePrinter withHeader(String... headers) {
    TablePrinter table = new TablePrinter(headers.length);
    table.row((Object[]) headers);
    return table;
  }

  /** A table without a header line, e.g. for aligned detail lines or key/value pairs. */
  public static TablePrinter withoutHeader(int columns) {
    return new TablePrinter(columns);
  }

  /**
   * Adds a row; {@code null} cells print as empty.
   *
   * @throws IllegalArgumentException if the number of cells differs from the number of columns
   */
  public TablePrinter row(Object... cells) {
    if (cells.length != columns) {
      throw new IllegalArgumentException(
          "row has " + cells.length + " cells but the table has " + columns + " columns");
    }
    rows.add(Arrays.stream(cells).map(c -> c == null ? "" : c.toString()).toArray(String[]::new));
    return this;
  }

  /** The laid-out lines, header (if any) first, without line separators. */
  public List<String> lines() {
    int[] widths = new int[columns];
    for (String[] row : rows) {
      for (int c = 0; c < columns; c++) {
        widths[c] = Math.max(widths[c], row[c].length());
      }
    }
    List<String> lines = new ArrayList<>(rows.size());
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int c = 0; c < columns; c++) {
        if (c > 0) {
          line.append(GAP);
        }
        line.append(row[c]);
        if (c < columns - 1) {
          line.append(" ".repeat(widths[c] - row[c].length()));
        }
      }
      lines.add(line.toString().stripTrailing());
    }
    return lines;
  }

  /** Prints {@link #lines()}, each with {@link PrintWriter#println()}, prefixed by indent. */
  public void print(PrintWriter out, String indent) {
    for (String line : lines()) {
      out.println(indent + line);
    }
  }

  /** Prints {@link #lines()} without indent. */
  public void print(PrintWriter out) {
    print(out, "");
  }
}
