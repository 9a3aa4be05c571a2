package io.gpupool.controller.sim;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One self-contained HTML page comparing policies on a trace: the metrics table, a JCT CDF, queue
 * length over time and GPU utilization over time, one line per policy. Charts are inline SVG; the
 * page loads nothing (no scripts, no fonts, no network). Every text from the trace or the user is
 * escaped.
 *
 * <p>Stateless and thread-safe.
 */
public final class HtmlReport {
  /** How many points the CDF and the time charts draw per policy, at most. */
  static final int POINTS = 240;

  private static final String[] COLORS = {
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"
  };

  private static final String STYLE =
      """
      body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; }
      table { border-collapse: collapse; margin-bottom: 16px; }
      th, td { border: 1px solid #ccc; padding: 4px 8px; }
      th { background: #f4f4f4; text-align: left; }
      td.num { text-align: right; font-variant-numeric: tabular-nums; }
      svg.chart { display: block; margin-bottom: 16px; }
      svg .plot { fill: #fff; stroke: #999; }
      svg .grid { stroke: #eee; }
      svg text { font: 11px system-ui, sans-serif; fill: #333; }
      svg .title { font-weight: bold; font-size: 12px; }
      """;

  private HtmlReport() {}

  /**
   * The page for {@code report} and the results it was made from, in the same order.
   *
   * @throws IllegalArgumentException if the results do not match the report's policies
   */
  public static String render(SimulationReport report, List<SimulationResult> results) {
    if (results.size() != report.policies().size()) {
      throw new IllegalArgumentException(
          "the report has "
              + report.policies().size()
              + " policies but "
              + results.size()
              + " results were given");
    }
    String title = "gpupool simulation: " + report.traceName() + " on " + report.cluster().spec();
    StringBuilder html = new StringBuilder();
    html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<title>")
        .append(Html.escape(title))
        .append("</title>\n<style>\n")
        .append(STYLE)
        .append("</style>\n</head>\n<body>\n<h1>")
        .append(Html.escape(title))
        .append("</h1>\n<p>")
        .append(
            Html.escape(
                String.format(
                    Locale.ROOT,
                    "%,d jobs on %,d GPUs (%s). Lower bounds: makespan %s, average JCT %s. Times in"
                        + " seconds unless marked.",
                    report.traceJobs(),
                    report.cluster().gpus(),
                    report.cluster().spec(),
                    seconds(report.lowerBounds().makespanSeconds()),
                    seconds(report.lowerBounds().avgJctSeconds()))))
        .append("</p>\n");
    metricsTable(html, report);
    tenantTable(html, report);
    html.append("<h2>Job completion time</h2>\n").append(cdf(results));
    Span span = Span.of(results);
    html.append("<h2>Queue length over time</h2>\n")
        .append(overTime(results, span, false, report.cluster().gpus()));
    html.append("<h2>GPU utilization over time</h2>\n")
        .append(overTime(results, span, true, report.cluster().gpus()));
    html.append("</body>\n</html>\n");
    return html.toString();
  }

  private static void metricsTable(StringBuilder html, SimulationReport report) {
    html.append("<h2>Metrics</h2>\n<table>\n<tr>");
    for (String head :
        List.of(
            "policy",
            "jobs",
            "unschedulable",
            "unfinished",
            "avg JCT",
            "p50 JCT",
            "p95 JCT",
            "p99 JCT",
            "makespan",
            "avg queue delay",
            "max queue delay",
            "GPU utilization")) {
      html.append("<th>").append(Html.escape(head)).append("</th>");
    }
    html.append("</tr>\n");
    for (PolicyMetrics p : report.policies()) {
      row(
          html,
          p.policy(),
          count(p.jobs()),
          count(p.unschedulable()),
          count(p.unfinished()),
          seconds(p.avgJctSeconds()),
          seconds(p.p50JctSeconds()),
          seconds(p.p95JctSeconds()),
          seconds(p.p99JctSeconds()),
          seconds(p.makespanSeconds()),
          seconds(p.avgQueueDelaySeconds()),
          seconds(p.maxQueueDelaySeconds()),
          ratio(p.gpuUtilization()));
    }
    row(
        html,
        "lower bound",
        "",
        "",
        "",
        seconds(report.lowerBounds().avgJctSeconds()),
        "",
        "",
        "",
        seconds(report.lowerBounds().makespanSeconds()),
        "",
        "",
        "");
    html.append("</table>\n");
  }

  private static void tenantTable(StringBuilder html, SimulationReport report) {
    html.append("<h2>Per tenant</h2>\n<table>\n<tr>");
    for (String head :
        List.of(
            "policy",
            "tenant",
            "jobs",
            "GPU-h",
            "avg JCT",
            "avg queue delay",
            "queue delay p50",
            "queue delay p95",
            "run time p50",
            "run time p95")) {
      html.append("<th>").append(Html.escape(head)).append("</th>");
    }
    html.append("</tr>\n");
    for (PolicyMetrics p : report.policies()) {
      for (Map.Entry<String, PolicyMetrics.TenantMetrics> t : p.perTenant().entrySet()) {
        row(
            html,
            p.policy(),
            t.getKey(),
            count(t.getValue().jobs()),
            String.format(Locale.ROOT, "%.2f", t.getValue().gpuHours()),
            seconds(t.getValue().avgJctSeconds()),
            seconds(t.getValue().avgQueueDelaySeconds()),
            seconds(t.getValue().p50QueueDelaySeconds()),
            seconds(t.getValue().p95QueueDelaySeconds()),
            seconds(t.getValue().p50RunSeconds()),
            seconds(t.getValue().p95RunSeconds()));
      }
    }
    html.append("</table>\n");
  }

  private static void row(StringBuilder html, String... cells) {
    html.append("<tr>");
    for (int i = 0; i < cells.length; i++) {
      html.append(i < 2 ? "<td>" : "<td class=\"num\">")
          .append(Html.escape(cells[i]))
          .append("</td>");
    }
    html.append("</tr>\n");
  }

  private static String cdf(List<SimulationResult> results) {
    SvgChart chart =
        new SvgChart(
            "CDF of job completion time",
            "job completion time (log scale)",
            "fraction of jobs",
            true,
            HtmlReport::shortSeconds,
            HtmlReport::plain);
    chart.yMax(1);
    for (int k = 0; k < results.size(); k++) {
      SimulationResult result = results.get(k);
      long[] jcts = result.runs().stream().mapToLong(JobRun::jctMillis).sorted().toArray();
      int points = Math.min(POINTS, jcts.length);
      double[] xs = new double[points];
      double[] ys = new double[points];
      for (int i = 0; i < points; i++) {
        ys[i] = (i + 1.0) / points;
        int rank = (int) Math.ceil(ys[i] * jcts.length);
        xs[i] = jcts[Math.max(0, Math.min(jcts.length - 1, rank - 1))] / 1000.0;
      }
      chart.add(result.policy(), color(k), xs, ys);
    }
    return chart.render();
  }

  private static String overTime(
      List<SimulationResult> results, Span span, boolean utilization, int gpus) {
    String unit = span.unitName();
    SvgChart chart =
        new SvgChart(
            utilization ? "GPU utilization (busy GPUs / all GPUs)" : "Tasks waiting in the queue",
            "time since the first arrival (" + unit + "), averaged over " + POINTS + " intervals",
            utilization ? "utilization" : "queued tasks",
            false,
            HtmlReport::plain,
            HtmlReport::plain);
    if (utilization) {
      chart.yMax(1);
    }
    if (!span.isEmpty()) {
      chart.xRange(0, (double) (span.to() - span.from()) / span.unitMillis());
    }
    for (int k = 0; k < results.size(); k++) {
      SimulationResult result = results.get(k);
      double[] xs = new double[0];
      double[] ys = new double[0];
      if (span.isEmpty()) {
        chart.add(result.policy(), color(k), xs, ys);
        continue;
      }
      Timeline timeline = result.timeline();
      ys =
          utilization
              ? timeline.averageBusyGpus(span.from(), span.to(), POINTS)
              : timeline.averageQueued(span.from(), span.to(), POINTS);
      xs = new double[POINTS];
      double width = (double) (span.to() - span.from()) / POINTS;
      for (int i = 0; i < POINTS; i++) {
        xs[i] = (i + 0.5) * width / span.unitMillis();
        if (utilization) {
          ys[i] /= gpus;
        }
      }
      chart.add(result.policy(), color(k), xs, ys);
    }
    return chart.render();
  }

  /** The common time range of the results: first arrival to last completion. */
  private record Span(long from, long to) {
    static Span of(List<SimulationResult> results) {
      long from = Long.MAX_VALUE;
      long to = Long.MIN_VALUE;
      for (SimulationResult result : results) {
        for (JobRun run : result.runs()) {
          from = Math.min(from, run.job().submitMillis());
          to = Math.max(to, run.endMillis());
        }
      }
      return new Span(from, to);
    }

    boolean isEmpty() {
      return to <= from;
    }

    long unitMillis() {
      long length = to - from;
      return length >= 2 * 86_400_000L ? 86_400_000L : length >= 2 * 3_600_000L ? 3_600_000L : 1000;
    }

    String unitName() {
      return isEmpty()
          ? "s"
          : switch ((int) (unitMillis() / 1000)) {
            case 86_400 -> "days";
            case 3_600 -> "hours";
            default -> "s";
          };
    }
  }

  private static String color(int k) {
    return COLORS[k % COLORS.length];
  }

  private static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  private static String seconds(double s) {
    return Double.isFinite(s) ? String.format(Locale.ROOT, "%,.1f", s) : "-";
  }

  private static String ratio(double r) {
    return Double.isFinite(r) ? String.format(Locale.ROOT, "%.3f", r) : "-";
  }

  /** 1 s, 10 s, 1k s, 1M s ... for log-scale tick labels. */
  static String shortSeconds(double s) {
    if (s >= 1e6) {
      return plain(s / 1e6) + "M s";
    }
    if (s >= 1e3) {
      return plain(s / 1e3) + "k s";
    }
    return plain(s) + " s";
  }

  /** At most 4 significant digits, no trailing zeros, no exponent: 0, 0.25, 50, 1200. */
  static String plain(double v) {
    if (!Double.isFinite(v)) {
      return "";
    }
    BigDecimal rounded = BigDecimal.valueOf(v).round(new MathContext(4)).stripTrailingZeros();
    return rounded.signum() == 0 ? "0" : rounded.toPlainString();
  }
}
