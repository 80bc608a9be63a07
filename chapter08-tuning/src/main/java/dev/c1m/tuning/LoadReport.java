package dev.c1m.tuning;

import dev.c1m.concurrency.load.LatencyHistogram;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The result of one load-generator run, or the sum of several processes' runs.
 *
 * <p>Requests balance: every request sent after the warm-up is either answered or failed
 * ({@code sent == answered + failed}); requests still unanswered when the run ends are failed as
 * {@link ErrorKind#REPLY_TIMEOUT}. In hold mode the requests are the heartbeats. {@code errors}
 * counts failure events by kind, connection failures included, so it can exceed {@code failed}.
 *
 * <p>Immutable once built (the histograms are not copied: do not record into them afterwards).
 *
 * @param connectNanos  from the first attempt to the last successful connect of the initial ramp
 * @param measuredNanos the window the request rate is computed over (hold time, echo duration)
 * @param steps         ramp mode's per-step results, hold mode's per {@code --step-duration} (aligned
 *                      across processes), echo mode none
 */
public record LoadReport(LoadMode mode, int processes, long target, long attempted, long connected, long peakOpen,
                         long openAtEnd, long connectNanos, long measuredNanos, long sent, long answered, long failed,
                         Map<ErrorKind, Long> errors, LatencyHistogram latency, List<Step> steps) {

    /**
     * One step: the connections open at its end, how long it lasted, and what it measured;
     * {@code wakeUps} counts the turns of the loop that found ready keys (replies per wake-up is
     * what a batch window raises).
     */
    public record Step(long connections, long nanos, long sent, long answered, long failed, long wakeUps,
                       LatencyHistogram latency) {

        public double requestsPerSecond() {
            return nanos == 0 ? 0 : answered * 1e9 / nanos;
        }

        Step plus(Step other) {
            LatencyHistogram sum = new LatencyHistogram();
            sum.add(latency);
            sum.add(other.latency);
            return new Step(connections + other.connections, Math.max(nanos, other.nanos), sent + other.sent,
                    answered + other.answered, failed + other.failed, wakeUps + other.wakeUps, sum);
        }
    }

    public double connectsPerSecond() {
        return connectNanos == 0 ? 0 : connected * 1e9 / connectNanos;
    }

    public double requestsPerSecond() {
        return measuredNanos == 0 ? 0 : answered * 1e9 / measuredNanos;
    }

    public long totalErrors() {
        return errors.values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * The sum of several processes' reports: counts add up, durations and the maximum take the
     * largest, histograms merge, steps merge by position. {@code peakOpen} becomes the sum of the
     * peaks, an upper bound of the true simultaneous peak.
     */
    public static LoadReport merge(List<LoadReport> reports) {
        if (reports.isEmpty()) {
            throw new IllegalArgumentException("nothing to merge");
        }
        LoadReport sum = null;
        for (LoadReport r : reports) {
            sum = sum == null ? r.copy() : sum.plus(r);
        }
        return new LoadReport(sum.mode, reports.size(), sum.target, sum.attempted, sum.connected, sum.peakOpen,
                sum.openAtEnd, sum.connectNanos, sum.measuredNanos, sum.sent, sum.answered, sum.failed, sum.errors,
                sum.latency, sum.steps);
    }

    private LoadReport copy() {
        return decode(encode());
    }

    private LoadReport plus(LoadReport o) {
        Map<ErrorKind, Long> errorSum = new EnumMap<>(ErrorKind.class);
        errorSum.putAll(errors);
        o.errors.forEach((kind, n) -> errorSum.merge(kind, n, Long::sum));
        LatencyHistogram latencySum = new LatencyHistogram();
        latencySum.add(latency);
        latencySum.add(o.latency);
        List<Step> stepSum = new ArrayList<>();
        for (int i = 0; i < Math.max(steps.size(), o.steps.size()); i++) {
            stepSum.add(i >= steps.size() ? o.steps.get(i) : i >= o.steps.size() ? steps.get(i) : steps.get(i).plus(o.steps.get(i)));
        }
        return new LoadReport(mode, processes + o.processes, target + o.target, attempted + o.attempted,
                connected + o.connected, peakOpen + o.peakOpen, openAtEnd + o.openAtEnd,
                Math.max(connectNanos, o.connectNanos), Math.max(measuredNanos, o.measuredNanos), sent + o.sent,
                answered + o.answered, failed + o.failed, errorSum, latencySum, stepSum);
    }

    /** One line of {@code key=value} fields without spaces inside values; {@link #decode} reads it back. */
    public String encode() {
        StringJoiner errorText = new StringJoiner(",");
        errors.forEach((kind, n) -> errorText.add(kind + ":" + n));
        StringJoiner stepText = new StringJoiner("|");
        for (Step s : steps) {
            stepText.add(s.connections + "/" + s.nanos + "/" + s.sent + "/" + s.answered + "/" + s.failed + "/"
                    + s.wakeUps + "/" + s.latency.encode());
        }
        return "mode=" + mode + " processes=" + processes + " target=" + target + " attempted=" + attempted
                + " connected=" + connected + " peak=" + peakOpen + " open=" + openAtEnd
                + " connectNanos=" + connectNanos + " measuredNanos=" + measuredNanos + " sent=" + sent
                + " answered=" + answered + " failed=" + failed + " errors=" + errorText + " latency=" + latency.encode()
                + " steps=" + stepText;
    }

    /** The inverse of {@link #encode()}. */
    public static LoadReport decode(String line) {
        Map<String, String> f = new HashMap<>();
        for (String field : line.trim().split(" ")) {
            int eq = field.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("malformed report field '" + field + "'");
            }
            f.put(field.substring(0, eq), field.substring(eq + 1));
        }
        Map<ErrorKind, Long> errors = new EnumMap<>(ErrorKind.class);
        if (!f.get("errors").isEmpty()) {
            for (String e : f.get("errors").split(",")) {
                String[] kv = e.split(":");
                errors.put(ErrorKind.valueOf(kv[0]), Long.parseLong(kv[1]));
            }
        }
        List<Step> steps = new ArrayList<>();
        if (!f.get("steps").isEmpty()) {
            for (String s : f.get("steps").split("\\|")) {
                String[] p = s.split("/", 7);
                steps.add(new Step(Long.parseLong(p[0]), Long.parseLong(p[1]), Long.parseLong(p[2]),
                        Long.parseLong(p[3]), Long.parseLong(p[4]), Long.parseLong(p[5]), LatencyHistogram.decode(p[6])));
            }
        }
        return new LoadReport(LoadMode.valueOf(f.get("mode")), Integer.parseInt(f.get("processes")),
                num(f, "target"), num(f, "attempted"), num(f, "connected"), num(f, "peak"), num(f, "open"),
                num(f, "connectNanos"), num(f, "measuredNanos"), num(f, "sent"), num(f, "answered"),
                num(f, "failed"), errors, LatencyHistogram.decode(f.get("latency")), steps);
    }

    private static long num(Map<String, String> fields, String name) {
        String value = fields.get(name);
        if (value == null) {
            throw new IllegalArgumentException("report has no field " + name);
        }
        return Long.parseLong(value);
    }

    /** The human-readable report. */
    public String toText() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "mode          %s (%d process%s)%n", mode.name().toLowerCase(Locale.ROOT),
                processes, processes == 1 ? "" : "es"));
        b.append(String.format(Locale.ROOT, "connections   %d of %d connected (%d attempts), %d open at the end, peak %d%n",
                connected, target, attempted, openAtEnd, peakOpen));
        b.append(String.format(Locale.ROOT, "connect rate  %.0f /s (%.2f s)%n", connectsPerSecond(), connectNanos / 1e9));
        b.append(String.format(Locale.ROOT, "%-13s sent %d, answered %d, failed %d (%.1f /s over %.1f s)%n",
                mode == LoadMode.HOLD ? "heartbeats" : "requests", sent, answered, failed, requestsPerSecond(),
                measuredNanos / 1e9));
        b.append(String.format(Locale.ROOT, "%-13s %s%n", mode == LoadMode.HOLD ? "rtt (ms)" : "latency (ms)",
                percentiles(latency)));
        StringJoiner errorText = new StringJoiner(", ");
        errors.forEach((kind, n) -> errorText.add(kind + " " + n));
        b.append("errors        ").append(errors.isEmpty() ? "none" : errorText.toString()).append(System.lineSeparator());
        if (!steps.isEmpty()) {
            b.append(String.format(Locale.ROOT, "%n%11s %10s %10s %8s %9s %9s %9s%n",
                    "connections", "answered", "req/s", "failed", "p50 ms", "p99 ms", "max ms"));
            for (Step s : steps) {
                b.append(String.format(Locale.ROOT, "%11d %10d %10.0f %8d %9.3f %9.3f %9.3f%n", s.connections, s.answered,
                        s.requestsPerSecond(), s.failed, ms(s.latency.percentile(50)), ms(s.latency.percentile(99)),
                        ms(s.latency.max())));
            }
        }
        return b.toString();
    }

    private static String percentiles(LatencyHistogram h) {
        return String.format(Locale.ROOT, "p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f",
                ms(h.percentile(50)), ms(h.percentile(90)), ms(h.percentile(99)), ms(h.percentile(99.9)), ms(h.max()));
    }

    /**
     * This report's round trips step by step, each row starting with its step's start on the
     * load's clock ({@code stepDuration} apart): where in a run a tail came from.
     */
    public List<String> stepRows(Duration stepDuration) {
        List<String> rows = new ArrayList<>(List.of("load_seconds,connections,sent,answered,failed,wake_ups,"
                + "p50_ms,p99_ms,p999_ms,max_ms"));
        for (int k = 0; k < steps.size(); k++) {
            Step s = steps.get(k);
            rows.add(String.format(Locale.ROOT, "%d,%d,%d,%d,%d,%d,%.3f,%.3f,%.3f,%.3f",
                    stepDuration.multipliedBy(k).toSeconds(), s.connections, s.sent, s.answered, s.failed, s.wakeUps,
                    ms(s.latency.percentile(50)), ms(s.latency.percentile(99)), ms(s.latency.percentile(99.9)),
                    ms(s.latency.max())));
        }
        return rows;
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static double ms(Duration duration) {
        return ms(duration.toNanos());
    }

    /** The report as one JSON object (latencies in milliseconds). */
    public String toJson() {
        StringJoiner errorJson = new StringJoiner(", ", "{", "}");
        errors.forEach((kind, n) -> errorJson.add("\"" + kind + "\": " + n));
        StringJoiner stepJson = new StringJoiner(", ", "[", "]");
        for (Step s : steps) {
            stepJson.add(String.format(Locale.ROOT,
                    "{\"connections\": %d, \"sent\": %d, \"answered\": %d, \"failed\": %d, \"requestsPerSecond\": %.1f, \"latencyMs\": %s}",
                    s.connections, s.sent, s.answered, s.failed, s.requestsPerSecond(), latencyJson(s.latency)));
        }
        return String.format(Locale.ROOT, "{\"mode\": \"%s\", \"processes\": %d, \"target\": %d, \"attempted\": %d, "
                        + "\"connected\": %d, \"peakOpen\": %d, \"openAtEnd\": %d, \"connectSeconds\": %.3f, "
                        + "\"connectsPerSecond\": %.1f, \"measuredSeconds\": %.3f, \"sent\": %d, \"answered\": %d, "
                        + "\"failed\": %d, \"requestsPerSecond\": %.1f, \"latencyMs\": %s, \"errors\": %s, \"steps\": %s}",
                mode.name().toLowerCase(Locale.ROOT), processes, target, attempted, connected, peakOpen, openAtEnd,
                connectNanos / 1e9, connectsPerSecond(), measuredNanos / 1e9, sent, answered, failed,
                requestsPerSecond(), latencyJson(latency), errorJson, stepJson);
    }

    private static String latencyJson(LatencyHistogram h) {
        return String.format(Locale.ROOT, "{\"count\": %d, \"p50\": %.3f, \"p90\": %.3f, \"p99\": %.3f, \"p999\": %.3f, \"max\": %.3f}",
                h.count(), ms(h.percentile(50)), ms(h.percentile(90)), ms(h.percentile(99)), ms(h.percentile(99.9)), ms(h.max()));
    }

    /** The CSV header matching {@link #csvRows()}. */
    public static final String CSV_HEADER = "mode,processes,connections,connected,open_at_end,connects_per_s,sent,answered,"
            + "failed,requests_per_s,p50_ms,p90_ms,p99_ms,p999_ms,max_ms,errors";

    /** One row per step where the run has steps (ramp, and hold: one per {@code --step-duration}), else one for the run. */
    public List<String> csvRows() {
        String errorText = String.join(";", errors.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
        if (steps.isEmpty()) {
            return List.of(csvRow(target, connected, openAtEnd, connectsPerSecond(), sent, answered, failed,
                    requestsPerSecond(), latency, errorText));
        }
        return steps.stream().map(s -> csvRow(s.connections, connected, openAtEnd, connectsPerSecond(), s.sent,
                s.answered, s.failed, s.requestsPerSecond(), s.latency, errorText)).toList();
    }

    private String csvRow(long connections, long connected, long open, double connectRate, long sent, long answered,
                          long failed, double rps, LatencyHistogram h, String errorText) {
        return String.format(Locale.ROOT, "%s,%d,%d,%d,%d,%.1f,%d,%d,%d,%.1f,%.3f,%.3f,%.3f,%.3f,%.3f,%s",
                mode.name().toLowerCase(Locale.ROOT), processes, connections, connected, open, connectRate, sent,
                answered, failed, rps, ms(h.percentile(50)), ms(h.percentile(90)), ms(h.percentile(99)),
                ms(h.percentile(99.9)), ms(h.max()), errorText);
    }
}
