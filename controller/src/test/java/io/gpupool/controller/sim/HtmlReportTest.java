package io.gpupool.controller.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class HtmlReportTest {

  private static String page(List<String> policies, String traceName) {
    Trace trace = SyntheticTrace.generate(300, 16, 1.1, 3);
    trace = new Trace(traceName, trace.jobs());
    Simulator simulator = new Simulator(trace, ClusterSpec.parse("2x8:A100"));
    List<SimulationResult> results = policies.stream().map(simulator::run).toList();
    return HtmlReport.render(SimulationReport.of(simulator, results), results);
  }

  private static int count(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  @Test
  void eachChartHasOneSeriesPerPolicy() {
    String html = page(List.of("fifo", "sjf"), "synthetic.csv");

    assertThat(count(html, "<svg ")).isEqualTo(3);
    for (String policy : List.of("fifo", "sjf")) {
      assertThat(count(html, "class=\"series\" data-series=\"" + policy + "\""))
          .as(policy)
          .isEqualTo(3);
    }
    assertThat(count(html, "class=\"series\"")).isEqualTo(6);
    assertThat(html).contains("<td>fifo</td>").contains("<td>sjf</td>").contains("lower bound");
  }

  @Test
  void thePageLoadsNothingFromAnywhere() {
    String html = page(List.of("fifo"), "synthetic.csv");

    assertThat(html)
        .startsWith("<!DOCTYPE html>")
        .doesNotContain("http:")
        .doesNotContain("https:")
        .doesNotContain("//")
        .doesNotContainIgnoringCase("<script")
        .doesNotContainIgnoringCase("<link")
        .doesNotContain("src=")
        .doesNotContain("url(")
        .doesNotContain("@import");
  }

  @Test
  void textFromTheTraceIsEscaped() {
    String html = page(List.of("fifo"), "<script>alert('x')</script>&.csv");

    assertThat(html)
        .doesNotContain("<script>")
        .contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;.csv");
  }

  @Test
  void tenantsAreEscapedInTheTenantTable() {
    Trace trace =
        new Trace(
            "t", List.of(new TraceJob("1", 0, 1, 1000, "", "", "<b>", 0, Optional.empty(), 0)));
    Simulator simulator = new Simulator(trace, ClusterSpec.parse("1x1:V100"));
    List<SimulationResult> results = List.of(simulator.run("fifo"));

    String html = HtmlReport.render(SimulationReport.of(simulator, results), results);

    assertThat(html).contains("<td>&lt;b&gt;</td>").doesNotContain("<b>");
  }

  @Test
  void theTenantTableShowsGpuHoursAndQueueAndRunPercentiles() {
    // Two one-hour jobs of ann on one GPU: the second waits for the first.
    Trace trace =
        new Trace(
            "t",
            List.of(
                new TraceJob("1", 0, 1, 3_600_000, "", "", "ann", 0, Optional.empty(), 0),
                new TraceJob("2", 0, 1, 3_600_000, "", "", "ann", 0, Optional.empty(), 0)));
    Simulator simulator = new Simulator(trace, ClusterSpec.parse("1x1:V100"));
    List<SimulationResult> results = List.of(simulator.run("fifo"));

    String html = HtmlReport.render(SimulationReport.of(simulator, results), results);

    assertThat(html)
        .contains("<th>GPU-h</th>")
        .contains("<th>queue delay p95</th>")
        .contains(
            "<td>fifo</td><td>ann</td><td class=\"num\">2</td><td class=\"num\">2.00</td>"
                + "<td class=\"num\">5,400.0</td><td class=\"num\">1,800.0</td>"
                + "<td class=\"num\">0.0</td><td class=\"num\">3,600.0</td>"
                + "<td class=\"num\">3,600.0</td><td class=\"num\">3,600.0</td>");
  }

  @Test
  void shortTickLabelsDropNeedlessDigits() {
    assertThat(HtmlReport.plain(50)).isEqualTo("50");
    assertThat(HtmlReport.plain(0.2)).isEqualTo("0.2");
    assertThat(HtmlReport.plain(0)).isEqualTo("0");
    assertThat(HtmlReport.shortSeconds(1000)).isEqualTo("1k s");
    assertThat(HtmlReport.shortSeconds(1e7)).isEqualTo("10M s");
    assertThat(HtmlReport.shortSeconds(100)).isEqualTo("100 s");
  }
}
