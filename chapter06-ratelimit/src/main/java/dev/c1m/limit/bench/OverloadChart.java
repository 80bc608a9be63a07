package dev.c1m.limit.bench;

import java.util.List;
import java.util.Locale;

/**
 * Draws the overload benchmark as line charts in plain SVG, side by side: one panel per metric,
 * offered load (as a multiple of capacity) on the x axis, one line per protection mode. Written
 * by hand, no library.
 */
final class OverloadChart {

    /** One panel: a title, a y-axis label, whether the y axis is logarithmic, one line per series. */
    record Panel(String title, String yLabel, boolean logY, List<double[]> series) {
    }

    private static final String[] COLOURS = {"#e15759", "#4e79a7", "#59a14f", "#f28e2b"};
    private static final int PANEL_WIDTH = 400;
    private static final int PANEL_HEIGHT = 280;
    private static final int MARGIN_LEFT = 60;
    private static final int MARGIN_TOP = 62;
    private static final int PLOT_WIDTH = 310;
    private static final int PLOT_HEIGHT = 190;

    private OverloadChart() {
    }

    static String svg(String title, double[] xs, List<String> seriesNames, List<Panel> panels) {
        int width = PANEL_WIDTH * panels.size();
        int height = PANEL_HEIGHT + 80;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"11\">%n",
                width, height));
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"20\" font-size=\"14\">%s</text>%n", escape(title)));
        for (int p = 0; p < panels.size(); p++) {
            panel(svg, p * PANEL_WIDTH + MARGIN_LEFT, MARGIN_TOP, xs, panels.get(p));
        }
        int legendY = PANEL_HEIGHT + 60;
        for (int s = 0; s < seriesNames.size(); s++) {
            int x = 20 + s * 280;
            svg.append(String.format(Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"3\"/>%n",
                    x, legendY - 4, x + 24, legendY - 4, COLOURS[s % COLOURS.length]));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", x + 30, legendY, escape(seriesNames.get(s))));
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    private static void panel(StringBuilder svg, int left, int top, double[] xs, Panel panel) {
        double minX = xs[0];
        double maxX = xs[xs.length - 1];
        double maxY = panel.series().stream().flatMapToDouble(java.util.Arrays::stream).filter(v -> !Double.isNaN(v)).max().orElse(1);
        double minY = panel.logY()
                ? panel.series().stream().flatMapToDouble(java.util.Arrays::stream).filter(v -> v > 0).min().orElse(1)
                : 0;
        double[] yTicks = panel.logY() ? logTicks(minY, maxY) : linearTicks(maxY);
        double lowY = panel.logY() ? yTicks[0] : 0;
        double highY = yTicks[yTicks.length - 1];
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"12\">%s</text>%n", left, top - 12, escape(panel.title())));
        svg.append(String.format(Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#888\"/>%n",
                left, top, PLOT_WIDTH, PLOT_HEIGHT));
        for (double tick : yTicks) {
            double y = yPixel(tick, lowY, highY, panel.logY(), top);
            svg.append(String.format(Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n", left, y, left + PLOT_WIDTH, y));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                    left - 4, y + 4, format(tick)));
        }
        for (double x : xs) {
            double px = left + (x - minX) / (maxX - minX) * PLOT_WIDTH;
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%sx</text>%n",
                    px, top + PLOT_HEIGHT + 14, format(x)));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">offered load (x capacity)</text>%n",
                left + PLOT_WIDTH / 2, top + PLOT_HEIGHT + 30));
        svg.append(String.format(Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 %d %d)\">%s</text>%n",
                left - 44, top + PLOT_HEIGHT / 2, left - 44, top + PLOT_HEIGHT / 2, escape(panel.yLabel())));
        for (int s = 0; s < panel.series().size(); s++) {
            double[] ys = panel.series().get(s);
            StringBuilder points = new StringBuilder();
            for (int i = 0; i < xs.length; i++) {
                if (Double.isNaN(ys[i]) || (panel.logY() && ys[i] <= 0)) {
                    continue;
                }
                double px = left + (xs[i] - minX) / (maxX - minX) * PLOT_WIDTH;
                double py = yPixel(ys[i], lowY, highY, panel.logY(), top);
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
                svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>%n",
                        px, py, COLOURS[s % COLOURS.length]));
            }
            svg.append(String.format(Locale.ROOT,
                    "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>%n",
                    points.toString().trim(), COLOURS[s % COLOURS.length]));
        }
    }

    private static double yPixel(double value, double low, double high, boolean log, int top) {
        double fraction = log ? (Math.log10(value) - Math.log10(low)) / (Math.log10(high) - Math.log10(low))
                : (value - low) / (high - low);
        return top + PLOT_HEIGHT - fraction * PLOT_HEIGHT;
    }

    private static double[] logTicks(double min, double max) {
        int from = (int) Math.floor(Math.log10(min));
        int to = (int) Math.ceil(Math.log10(max));
        if (to == from) {
            to++;
        }
        double[] ticks = new double[to - from + 1];
        for (int i = 0; i < ticks.length; i++) {
            ticks[i] = Math.pow(10, from + i);
        }
        return ticks;
    }

    private static double[] linearTicks(double max) {
        double step = Math.pow(10, Math.floor(Math.log10(max)));
        if (max / step < 3) {
            step /= 2;
        }
        int count = (int) Math.ceil(max / step);
        double[] ticks = new double[count + 1];
        for (int i = 0; i <= count; i++) {
            ticks[i] = i * step;
        }
        return ticks;
    }

    private static String format(double value) {
        if (value == Math.rint(value)) {
            return String.format(Locale.ROOT, "%.0f", value);
        }
        return String.format(Locale.ROOT, "%.1f", value);
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
