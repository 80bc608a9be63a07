package dev.c1m.concurrency.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Draws the benchmark's chart as a hand-written SVG: memory per connection (KiB, y) against
 * connections opened by the load (x), a solid line of resident memory and a dashed line of live heap per
 * model. Plain text, so it diffs cleanly and renders on the forges.
 *
 * <p>Stateless.
 */
final class MemoryChart {

    /** One model's points: connections, RSS KiB per connection, heap KiB per connection. */
    record Series(String model, String colour, List<double[]> points) {
    }

    private static final int WIDTH = 720;
    private static final int HEIGHT = 420;
    private static final int LEFT = 70;
    private static final int RIGHT = 200;
    private static final int TOP = 40;
    private static final int BOTTOM = 60;

    private MemoryChart() {
    }

    static String svg(String title, List<Series> series) {
        double maxX = series.stream().flatMap(s -> s.points().stream()).mapToDouble(p -> p[0]).max().orElse(1);
        double maxY = niceCeiling(series.stream().flatMap(s -> s.points().stream())
                .mapToDouble(p -> Math.max(p[1], p[2])).max().orElse(1));
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT, WIDTH, HEIGHT));
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, HEIGHT));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"22\" font-size=\"15\">%s</text>%n", LEFT, escape(title)));
        axes(svg, maxX, maxY);
        int legendY = TOP + 10;
        for (Series s : series) {
            line(svg, s, maxX, maxY, 1, "");
            line(svg, s, maxX, maxY, 2, " stroke-dasharray=\"6 4\"");
            legendY = legend(svg, s, legendY);
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    private static void axes(StringBuilder svg, double maxX, double maxY) {
        int plotRight = WIDTH - RIGHT;
        int plotBottom = HEIGHT - BOTTOM;
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n",
                LEFT, plotBottom, plotRight, plotBottom));
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n",
                LEFT, TOP, LEFT, plotBottom));
        for (int i = 0; i <= 5; i++) {
            double value = maxY * i / 5;
            double y = y(value, maxY);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n",
                    LEFT, y, plotRight, y));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                    LEFT - 6, y + 4, trim(value)));
        }
        for (int i = 0; i <= 5; i++) {
            double value = maxX * i / 5;
            double x = x(value, maxX);
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                    x, plotBottom + 18, trim(value)));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">connections opened</text>%n",
                (LEFT + plotRight) / 2, HEIGHT - 18));
        svg.append(String.format(Locale.ROOT, "<text x=\"16\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 16 %d)\">"
                + "KiB per connection</text>%n", (TOP + plotBottom) / 2, (TOP + plotBottom) / 2));
    }

    private static void line(StringBuilder svg, Series s, double maxX, double maxY, int column, String dash) {
        StringBuilder points = new StringBuilder();
        for (double[] p : s.points()) {
            points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x(p[0], maxX), y(p[column], maxY)));
        }
        svg.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s points=\"%s\"/>%n",
                s.colour(), dash, points.toString().trim()));
        for (double[] p : s.points()) {
            svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>%n",
                    x(p[0], maxX), y(p[column], maxY), s.colour()));
        }
    }

    private static int legend(StringBuilder svg, Series s, int y) {
        int x = WIDTH - RIGHT + 20;
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"/>%n",
                x, y, x + 28, y, s.colour()));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s RSS</text>%n", x + 34, y + 4, escape(s.model())));
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\""
                + " stroke-dasharray=\"6 4\"/>%n", x, y + 18, x + 28, y + 18, s.colour()));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s heap</text>%n", x + 34, y + 22, escape(s.model())));
        return y + 46;
    }

    private static double x(double value, double maxX) {
        return LEFT + value / maxX * (WIDTH - RIGHT - LEFT);
    }

    private static double y(double value, double maxY) {
        return HEIGHT - BOTTOM - value / maxY * (HEIGHT - BOTTOM - TOP);
    }

    private static double niceCeiling(double value) {
        double magnitude = Math.pow(10, Math.floor(Math.log10(Math.max(value, 1e-9))));
        for (double step : new double[] {1, 2, 2.5, 5, 10}) {
            if (step * magnitude >= value) {
                return step * magnitude;
            }
        }
        return 10 * magnitude;
    }

    private static String trim(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : String.format(Locale.ROOT, "%.1f", value);
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    static final Map<String, String> COLOURS = Map.of("thread", "#d62728", "pool", "#1f77b4", "virtual", "#2ca02c");
}
