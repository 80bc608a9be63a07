package dev.c1m.tuning.server;

import dev.c1m.tuning.MetricsRegistry;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * Adds up the Prometheus text expositions of several processes into one: every series (a metric
 * name with its labels) gets the sum of its values, and each family keeps the {@code HELP} and
 * {@code TYPE} lines of its first appearance. That is right for counters and for gauges of
 * amounts (connections, bytes, threads), which is all the course's servers export; it would be
 * wrong for a ratio or a maximum.
 *
 * <p>Stateless; thread-safe. A malformed sample line is skipped, not fatal: one worker's bad
 * scrape must not hide the others'.
 */
public final class MetricsSum {

    private MetricsSum() {
    }

    /** The sum of {@code expositions}, families in the order they first appear. */
    public static String of(List<String> expositions) {
        Map<String, Map<String, String>> headers = new LinkedHashMap<>(); // family -> "# HELP"/"# TYPE" -> line
        Map<String, Map<String, Double>> families = new LinkedHashMap<>(); // family -> series -> sum
        for (String exposition : expositions) {
            for (String line : exposition.split("\n")) {
                if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
                    String family = familyOf(line);
                    headers.computeIfAbsent(family, f -> new LinkedHashMap<>()).putIfAbsent(line.substring(0, 7), line);
                    families.computeIfAbsent(family, f -> new LinkedHashMap<>());
                } else if (!line.isBlank() && !line.startsWith("#")) {
                    addSample(families, line);
                }
            }
        }
        StringBuilder text = new StringBuilder();
        families.forEach((family, series) -> {
            headers.getOrDefault(family, Map.of()).values().forEach(header -> text.append(header).append('\n'));
            series.forEach((key, value) -> text.append(key).append(' ').append(MetricsRegistry.number(value)).append('\n'));
        });
        return text.toString();
    }

    /**
     * Only the counter families of {@code exposition}, as its {@code # TYPE} lines name them,
     * headers and samples; gauges and untyped series are left out.
     */
    public static String countersOf(String exposition) {
        Set<String> counters = new HashSet<>();
        for (String line : exposition.split("\n")) {
            String[] type = line.startsWith("# TYPE ") ? line.substring(7).split(" ") : new String[0];
            if (type.length == 2 && type[1].equals("counter")) {
                counters.add(type[0]);
            }
        }
        StringBuilder kept = new StringBuilder();
        for (String line : exposition.split("\n")) {
            if (counters.contains(familyOf(line))) {
                kept.append(line).append('\n');
            }
        }
        return kept.toString();
    }

    /** The family a line belongs to: the name a header describes, or a sample's name without its labels; "" for anything else. */
    private static String familyOf(String line) {
        if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
            return line.substring(7).split(" ", 2)[0];
        }
        if (line.isBlank() || line.startsWith("#")) {
            return "";
        }
        int end = line.indexOf('{');
        return line.substring(0, end >= 0 ? end : Math.max(0, line.indexOf(' ')));
    }

    /**
     * The value of one series ({@code name} or {@code name{labels}}, written exactly as exposed) in
     * one exposition; empty where the series is absent or its value is not a number.
     */
    public static OptionalDouble valueOf(String exposition, String series) {
        for (String line : exposition.split("\n")) {
            int space = line.lastIndexOf(' ');
            if (space > 0 && !line.startsWith("#") && line.substring(0, space).equals(series)) {
                try {
                    return OptionalDouble.of(Double.parseDouble(line.substring(space + 1)));
                } catch (NumberFormatException e) {
                    return OptionalDouble.empty();
                }
            }
        }
        return OptionalDouble.empty();
    }

    private static void addSample(Map<String, Map<String, Double>> families, String line) {
        int space = line.lastIndexOf(' ');
        if (space <= 0) {
            return;
        }
        double value;
        try {
            value = Double.parseDouble(line.substring(space + 1));
        } catch (NumberFormatException e) {
            return;
        }
        families.computeIfAbsent(familyOf(line), f -> new LinkedHashMap<>()).merge(line.substring(0, space), value, Double::sum);
    }
}
