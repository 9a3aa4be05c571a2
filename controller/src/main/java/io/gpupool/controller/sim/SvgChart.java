package io.gpupool.controller.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleFunction;

/**
 * A line chart as inline SVG: axes with ticks, one polyline per series, a legend. Series carry
 * {@code class="series"} and {@code data-series="NAME"} so the page can be checked mechanically.
 *
 * <p>Not thread-safe: build on one thread, then {@link #render()}.
 */
final class SvgChart {
  static final int WIDTH = 760;
  static final int HEIGHT = 300;
  private static final int LEFT = 64;
  private static final int RIGHT = 150;
  private static final int TOP = 28;
  private static final int BOTTOM = 44;

  /** One line. */
  record Series(String name, String color, double[] xs, double[] ys) {}

  private final String title;
  private final String xLabel;
  private final String yLabel;
  private final boolean logX;
  private final DoubleFunction<String> xTickText;
  private final DoubleFunction<String> yTickText;
  private final List<Series> series = new ArrayList<>();
  private Double yMaxFixed;
  private double[] xRangeFixed;

  SvgChart(
      String title,
      String xLabel,
      String yLabel,
      boolean logX,
      DoubleFunction<String> xTickText,
      DoubleFunction<String> yTickText) {
    this.title = title;
    this.xLabel = xLabel;
    this.yLabel = yLabel;
    this.logX = logX;
    this.xTickText = xTickText;
    this.yTickText = yTickText;
  }

  /** Fixes the top of the y axis (e.g. 1 for fractions) instead of fitting it to the data. */
  SvgChart yMax(double max) {
    this.yMaxFixed = max;
    return this;
  }

  /** Fixes the x axis (linear axes only) instead of fitting it to the data. */
  SvgChart xRange(double min, double max) {
    this.xRangeFixed = new double[] {min, max};
    return this;
  }

  SvgChart add(String name, String color, double[] xs, double[] ys) {
    if (xs.length != ys.length) {
      throw new IllegalArgumentException("series '" + name + "' has unequal x and y counts");
    }
    series.add(new Series(name, color, xs.clone(), ys.clone()));
    return this;
  }

  String render() {
    double xMin = Double.POSITIVE_INFINITY;
    double xMax = Double.NEGATIVE_INFINITY;
    double yMax = 0;
    for (Series s : series) {
      for (int i = 0; i < s.xs().length; i++) {
        if (logX && s.xs()[i] <= 0) {
          continue;
        }
        xMin = Math.min(xMin, s.xs()[i]);
        xMax = Math.max(xMax, s.xs()[i]);
        yMax = Math.max(yMax, s.ys()[i]);
      }
    }
    StringBuilder svg = new StringBuilder();
    svg.append(
        String.format(
            Locale.ROOT,
            "<svg class=\"chart\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\""
                + " aria-label=\"%s\">\n",
            WIDTH,
            HEIGHT,
            WIDTH,
            HEIGHT,
            Html.escape(title)));
    svg.append(text(LEFT, 18, "title", "start", title));
    if (xMin > xMax) {
      svg.append(text(WIDTH / 2.0, HEIGHT / 2.0, "empty", "middle", "no data"));
      return svg.append("</svg>\n").toString();
    }
    Axis x =
        logX
            ? Axis.log(xMin, xMax)
            : xRangeFixed != null
                ? Axis.linear(xRangeFixed[0], xRangeFixed[1])
                : Axis.linear(xMin, xMax);
    Axis y = Axis.linear(0, yMaxFixed != null ? yMaxFixed : Math.max(yMax, 1e-9));
    double plotW = WIDTH - LEFT - RIGHT;
    double plotH = HEIGHT - TOP - BOTTOM;
    svg.append(
        String.format(
            Locale.ROOT,
            "<rect class=\"plot\" x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%.1f\"/>\n",
            LEFT,
            TOP,
            plotW,
            plotH));
    for (double tick : x.ticks()) {
      double px = LEFT + x.fraction(tick) * plotW;
      svg.append(line(px, TOP, px, TOP + plotH, "grid"));
      svg.append(text(px, TOP + plotH + 14, "tick", "middle", xTickText.apply(tick)));
    }
    for (double tick : y.ticks()) {
      double py = TOP + plotH - y.fraction(tick) * plotH;
      svg.append(line(LEFT, py, LEFT + plotW, py, "grid"));
      svg.append(text(LEFT - 6, py + 4, "tick", "end", yTickText.apply(tick)));
    }
    svg.append(text(LEFT + plotW / 2, HEIGHT - 8, "label", "middle", xLabel));
    svg.append(
        String.format(
            Locale.ROOT,
            "<text class=\"label\" text-anchor=\"middle\" transform=\"translate(14 %.1f)"
                + " rotate(-90)\">%s</text>\n",
            TOP + plotH / 2,
            Html.escape(yLabel)));
    for (int k = 0; k < series.size(); k++) {
      Series s = series.get(k);
      StringBuilder points = new StringBuilder();
      for (int i = 0; i < s.xs().length; i++) {
        if (logX && s.xs()[i] <= 0) {
          continue;
        }
        double px = LEFT + x.fraction(s.xs()[i]) * plotW;
        double py = TOP + plotH - y.fraction(s.ys()[i]) * plotH;
        points.append(String.format(Locale.ROOT, "%s%.1f,%.1f", i == 0 ? "" : " ", px, py));
      }
      svg.append(
          String.format(
              Locale.ROOT,
              "<polyline class=\"series\" data-series=\"%s\" fill=\"none\" stroke=\"%s\""
                  + " stroke-width=\"1.6\" points=\"%s\"/>\n",
              Html.escape(s.name()),
              s.color(),
              points.toString().trim()));
      double ly = TOP + 10 + k * 18;
      svg.append(
          String.format(
              Locale.ROOT,
              "<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"4\" fill=\"%s\"/>\n",
              LEFT + plotW + 12,
              ly - 4,
              s.color()));
      svg.append(text(LEFT + plotW + 32, ly + 1, "legend", "start", s.name()));
    }
    return svg.append("</svg>\n").toString();
  }

  private static String line(double x1, double y1, double x2, double y2, String cssClass) {
    return String.format(
        Locale.ROOT,
        "<line class=\"%s\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
        cssClass,
        x1,
        y1,
        x2,
        y2);
  }

  private static String text(double x, double y, String cssClass, String anchor, String content) {
    return String.format(
        Locale.ROOT,
        "<text class=\"%s\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">%s</text>\n",
        cssClass,
        x,
        y,
        anchor,
        Html.escape(content));
  }

  /** Maps data values to [0,1] along an axis and picks readable ticks. */
  private record Axis(double min, double max, boolean log, List<Double> ticks) {

    static Axis linear(double min, double max) {
      if (max <= min) {
        max = min + 1;
      }
      double step = niceStep((max - min) / 5);
      double first = Math.ceil(min / step) * step;
      List<Double> ticks = new ArrayList<>();
      for (double t = first; t <= max + step * 1e-9; t += step) {
        ticks.add(Math.abs(t) < step * 1e-9 ? 0 : t);
      }
      return new Axis(min, max, false, ticks);
    }

    static Axis log(double min, double max) {
      double low = Math.pow(10, Math.floor(Math.log10(min)));
      double high = Math.pow(10, Math.ceil(Math.log10(max)));
      if (high <= low) {
        high = low * 10;
      }
      List<Double> ticks = new ArrayList<>();
      for (double t = low; t <= high * 1.0000001; t *= 10) {
        ticks.add(t);
      }
      return new Axis(low, high, true, ticks);
    }

    double fraction(double value) {
      double f =
          log
              ? (Math.log10(value) - Math.log10(min)) / (Math.log10(max) - Math.log10(min))
              : (value - min) / (max - min);
      return Math.max(0, Math.min(1, f));
    }

    private static double niceStep(double rough) {
      double magnitude = Math.pow(10, Math.floor(Math.log10(rough)));
      double residual = rough / magnitude;
      double nice = residual <= 1 ? 1 : residual <= 2 ? 2 : residual <= 5 ? 5 : 10;
      return nice * magnitude;
    }
  }
}
