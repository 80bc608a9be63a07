package dev.c1m.tuning;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A snapshot of a running load generator, taken once per progress interval. Child processes
 * print it as a {@code PROGRESS key=value ...} line ({@link #encode()}); the supervisor parses the
 * latest line of each child ({@link #decode}) and prints their sum ({@link #sum}).
 */
public record LoadProgress(long elapsedNanos, long target, long attempted, long connected, long open, long sent,
                           long answered, long errors) {

    public static final String PREFIX = "PROGRESS ";

    /** The live line a person reads: connections, rates, errors, elapsed time. */
    public String line(LoadProgress previous) {
        double seconds = Math.max(1e-9, (elapsedNanos - previous.elapsedNanos) / 1e9);
        return String.format(Locale.ROOT, "[%7.1fs] open %d/%d (+%.0f/s)  requests %d answered %d (%.0f/s)  errors %d",
                elapsedNanos / 1e9, open, target, (connected - previous.connected) / seconds, sent, answered,
                (answered - previous.answered) / seconds, errors);
    }

    public String encode() {
        return PREFIX + "elapsed=" + elapsedNanos + " target=" + target + " attempted=" + attempted + " connected="
                + connected + " open=" + open + " sent=" + sent + " answered=" + answered + " errors=" + errors;
    }

    public static LoadProgress decode(String line) {
        Map<String, Long> f = new HashMap<>();
        for (String field : line.substring(line.indexOf(PREFIX) + PREFIX.length()).trim().split(" ")) {
            int eq = field.indexOf('=');
            f.put(field.substring(0, eq), Long.parseLong(field.substring(eq + 1)));
        }
        return new LoadProgress(f.get("elapsed"), f.get("target"), f.get("attempted"), f.get("connected"),
                f.get("open"), f.get("sent"), f.get("answered"), f.get("errors"));
    }

    public static final LoadProgress ZERO = new LoadProgress(0, 0, 0, 0, 0, 0, 0, 0);

    /** The sum over processes; elapsed time is the longest. */
    public static LoadProgress sum(List<LoadProgress> parts) {
        LoadProgress s = ZERO;
        for (LoadProgress p : parts) {
            s = new LoadProgress(Math.max(s.elapsedNanos, p.elapsedNanos), s.target + p.target,
                    s.attempted + p.attempted, s.connected + p.connected, s.open + p.open, s.sent + p.sent,
                    s.answered + p.answered, s.errors + p.errors);
        }
        return s;
    }
}
