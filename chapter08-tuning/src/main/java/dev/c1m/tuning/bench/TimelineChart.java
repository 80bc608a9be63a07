package dev.c1m.tuning.bench;

import java.util.List;
import java.util.Locale;

/**
 * Line charts over time as plain SVG text (no library): one panel per series, stacked, sharing
 * the time axis, each scaled to its own maximum. For the C1M run's connections and memory.
 */
final class TimelineChart {

    /** One panel: a title, a unit for the axis label, and a value per time point. */
    record Series(String title, String unit, double divisor, List<Double> values, String colour) {
    }

    private static final int LEFT = 70;
    private static final int WIDTH = 600;
    private static final int PANEL_HEIGHT = 150;
    private static final int GAP = 50;

    private TimelineChart() {
    }

    static String svg(String title, List<Double> seconds, List<Series> panels) {
        double maxTime = Math.max(1, seconds.stream().mapToDouble(Double::doubleValue).max().orElse(1));
        int height = 40 + panels.size() * (PANEL_HEIGHT + GAP);
        StringBuilder svg = new StringBuilder(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">%n",
                LEFT + WIDTH + 30, height));
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"22\" font-size=\"15\" font-weight=\"bold\">%s</text>%n", escape(title)));
        for (int p = 0; p < panels.size(); p++) {
            panel(svg, 40 + p * (PANEL_HEIGHT + GAP), seconds, maxTime, panels.get(p));
        }
        return svg.append("</svg>\n").toString();
    }

    private static void panel(StringBuilder svg, int top, List<Double> seconds, double maxTime, Series series) {
        double max = Math.max(1e-9, series.values().stream().mapToDouble(v -> v / series.divisor()).max().orElse(1));
        int bottom = top + PANEL_HEIGHT;
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">%s</text>%n", LEFT, top - 6, escape(series.title())));
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>%n", LEFT, bottom, LEFT + WIDTH, bottom));
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>%n", LEFT, top, LEFT, bottom));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>%n", LEFT - 6, top + 10, label(max, series.unit())));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">0</text>%n", LEFT - 6, bottom));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%.0f s</text>%n", LEFT + WIDTH, bottom + 16, maxTime));
        StringBuilder points = new StringBuilder();
        for (int i = 0; i < seconds.size(); i++) {
            double x = LEFT + seconds.get(i) / maxTime * WIDTH;
            double y = bottom - series.values().get(i) / series.divisor() / max * PANEL_HEIGHT;
            points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
        }
        svg.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"/>%n",
                series.colour(), points.toString().trim()));
    }

    private static String label(double value, String unit) {
        return (value >= 100 ? String.format(Locale.ROOT, "%,.0f", value) : String.format(Locale.ROOT, "%.1f", value)) + " " + unit;
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
