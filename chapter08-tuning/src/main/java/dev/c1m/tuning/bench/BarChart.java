package dev.c1m.tuning.bench;

import java.util.List;
import java.util.Locale;

/** A horizontal bar chart as plain SVG text, for the benchmarks' results (no library). */
final class BarChart {

    private BarChart() {
    }

    static String svg(String title, List<String> labels, List<Long> values) {
        int labelWidth = 230;
        int barWidth = 420;
        int rowHeight = 26;
        int height = 50 + rowHeight * labels.size();
        long max = Math.max(1, values.stream().mapToLong(Long::longValue).max().orElse(1));
        StringBuilder svg = new StringBuilder(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"13\">%n",
                labelWidth + barWidth + 80, height));
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"22\" font-size=\"15\" font-weight=\"bold\">%s</text>%n", escape(title)));
        for (int i = 0; i < labels.size(); i++) {
            int y = 40 + i * rowHeight;
            long width = values.get(i) * barWidth / max;
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>%n", labelWidth - 8, y + 15,
                    escape(labels.get(i))));
            svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"18\" fill=\"%s\"/>%n", labelWidth, y + 2,
                    width, labels.get(i).contains("COH") ? "#2a9d8f" : "#457b9d"));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%d</text>%n", labelWidth + width + 6, y + 15, values.get(i)));
        }
        return svg.append("</svg>\n").toString();
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
