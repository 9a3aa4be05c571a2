package io.gpupool.cli.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class TablePrinterTest {
  @Test
  void padsEachColumnToItsWidestCellAndLeavesTheLastUnpadded() {
    TablePrinter table =
        TablePrinter.withHeader("ID", "NAME", "REASON").row("t-100", "a", "x").row("t-2", null, "");

    assertThat(table.lines()).containsExactly("ID     NAME  REASON", "t-100  a     x", "t-2");
  }

  @Test
  void headerlessTablesAlignToo() {
    StringWriter out = new StringWriter();
    TablePrinter.withoutHeader(2)
        .row("ID:", 1)
        .row("Request id:", "r")
        .print(new PrintWriter(out), "> ");

    assertThat(out.toString().lines()).containsExactly("> ID:          1", "> Request id:  r");
  }

  @Test
  void rejectsRowsOfTheWrongWidth() {
    assertThatThrownBy(() -> TablePrinter.withHeader("A", "B").row("only one"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1 cells")
        .hasMessageContaining("2 columns");
  }
}
