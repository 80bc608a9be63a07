package dev.c1m.limit.bench;

import java.util.List;
import java.util.Locale;

/**
 * Draws the limiter cost comparison as a horizontal bar chart in plain SVG: one group of bars per
 * limiter, one bar per series. No library; the text is written by hand.
 */
final class CostChart {

    private static final String[] COLOURS = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759"};
    private static final int LEFT = 210;
    private static final int WIDTH = 440;
    private static final int BAR = 11;
    private static final int TOP = 40;

    private CostChart() {
    }

    static String svg(List<String> names, List<String> seriesNames, List<List<Double>> series) {
        double max = series.stream().flatMap(List::stream).mapToDouble(Double::doubleValue).max().orElse(1);
        int row = series.size() * BAR + 10;
        int legendTop = TOP + names.size() * row + 10;
        int height = legendTop + seriesNames.size() * 18 + 10;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">%n",
                LEFT + WIDTH + 80, height));
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.append("<text x=\"10\" y=\"20\" font-size=\"14\">CPU ns per rate-limit decision (median; lower is better)</text>\n");
        for (int i = 0; i < names.size(); i++) {
            int y = TOP + i * row;
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>%n", LEFT - 8,
                    y + series.size() * BAR / 2 + 4, escape(names.get(i))));
            for (int s = 0; s < series.size(); s++) {
                bar(svg, y + s * BAR, series.get(s).get(i), max, COLOURS[s % COLOURS.length]);
            }
        }
        for (int s = 0; s < seriesNames.size(); s++) {
            int y = legendTop + s * 18;
            svg.append(String.format(Locale.ROOT,
                    "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/><text x=\"%d\" y=\"%d\">%s</text>%n",
                    LEFT, y, COLOURS[s % COLOURS.length], LEFT + 18, y + 10, escape(seriesNames.get(s))));
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    private static void bar(StringBuilder svg, int y, double value, double max, String colour) {
        double width = value / max * WIDTH;
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>%n", LEFT, y,
                width, BAR - 1, colour));
        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" font-size=\"10\">%.1f</text>%n", LEFT + width + 4,
                y + BAR - 2, value));
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
