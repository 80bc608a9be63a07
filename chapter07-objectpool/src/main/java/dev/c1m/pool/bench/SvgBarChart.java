package dev.c1m.pool.bench;

import java.util.List;
import java.util.Locale;

/**
 * A hand-written SVG bar chart: side-by-side panels, one per metric, each with one bar per
 * configuration and its value printed above it. Plain text, no library, diffs cleanly.
 *
 * <p>Stateless.
 */
final class SvgBarChart {

    /** One metric: its title and one value per configuration (same order as the labels). */
    record Panel(String title, List<Double> values) {
    }

    private static final String[] COLORS = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948",
            "#b07aa1", "#9c755f"};
    private static final int PANEL_WIDTH = 260;
    private static final int PANEL_HEIGHT = 240;
    private static final int TOP = 60;
    private static final int BAR_AREA = 170;

    private SvgBarChart() {
    }

    static String render(String title, String subtitle, List<String> labels, List<Panel> panels) {
        int width = PANEL_WIDTH * panels.size() + 20;
        int height = TOP + PANEL_HEIGHT + 20 * ((labels.size() + 1) / 2) + 20;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\""
                        + " font-size=\"12\">%n", width, height));
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", width, height));
        svg.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"22\" font-size=\"16\" font-weight=\"bold\">%s</text>%n",
                escape(title)));
        svg.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"40\" fill=\"#555\">%s</text>%n", escape(subtitle)));
        for (int p = 0; p < panels.size(); p++) {
            panel(svg, 10 + p * PANEL_WIDTH, panels.get(p));
        }
        int legendTop = TOP + PANEL_HEIGHT;
        for (int i = 0; i < labels.size(); i++) {
            int x = 10 + (i % 2) * 380;
            int y = legendTop + (i / 2) * 20;
            svg.append(String.format(Locale.ROOT,
                    "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>"
                            + "<text x=\"%d\" y=\"%d\">%s</text>%n",
                    x, y, COLORS[i % COLORS.length], x + 18, y + 11, escape(labels.get(i))));
        }
        return svg.append("</svg>\n").toString();
    }

    private static void panel(StringBuilder svg, int left, Panel panel) {
        double max = panel.values().stream().mapToDouble(Double::doubleValue).max().orElse(1);
        max = max <= 0 ? 1 : max;
        int bottom = TOP + 20 + BAR_AREA;
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">%s</text>%n",
                left, TOP + 5, escape(panel.title())));
        svg.append(String.format(Locale.ROOT,
                "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>%n", left, bottom,
                left + PANEL_WIDTH - 30, bottom));
        int n = panel.values().size();
        int slot = (PANEL_WIDTH - 40) / Math.max(1, n);
        for (int i = 0; i < n; i++) {
            double value = panel.values().get(i);
            int barHeight = (int) Math.round(BAR_AREA * value / max);
            int x = left + 5 + i * slot;
            svg.append(String.format(Locale.ROOT,
                    "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>%n",
                    x, bottom - barHeight, slot - 8, barHeight, COLORS[i % COLORS.length]));
            svg.append(String.format(Locale.ROOT,
                    "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"11\">%s</text>%n",
                    x + (slot - 8) / 2, bottom - barHeight - 4, format(value)));
        }
    }

    static String format(double value) {
        if (value >= 100) {
            return String.format(Locale.ROOT, "%,.0f", value);
        }
        if (value >= 10) {
            return String.format(Locale.ROOT, "%.1f", value);
        }
        return String.format(Locale.ROOT, "%.2f", value);
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
