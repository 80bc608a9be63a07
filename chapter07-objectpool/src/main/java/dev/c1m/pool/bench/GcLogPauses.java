package dev.c1m.pool.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sums stop-the-world pauses from a unified GC log written with {@code -Xlog:gc,gc+phases}
 * (default decorators: uptime, level, tags). G1 logs each pause on a {@code [gc]} line
 * ({@code GC(3) Pause Young (Normal) (G1 Evacuation Pause) 150M->3M(256M) 2.345ms}); ZGC logs its
 * short pauses on {@code [gc,phases]} lines ({@code GC(3) y: Pause Mark Start 0.015ms}). Both
 * end in the pause's duration, which the MXBeans report only in whole milliseconds.
 *
 * <p>Stateless.
 */
final class GcLogPauses {

    private static final Pattern PAUSE = Pattern.compile(
            "^\\[(\\d+(?:\\.\\d+)?)s\\]\\[info\\s*\\]\\[gc(?:,phases)?\\s*\\] GC\\(\\d+\\) .*Pause.* (\\d+(?:\\.\\d+)?)ms$");

    private GcLogPauses() {
    }

    /** Total and longest pause, in ms, of pauses logged after {@code fromMillis} and up to {@code toMillis} of uptime. */
    static double[] between(Path log, long fromMillis, long toMillis) throws IOException {
        double total = 0;
        double longest = 0;
        for (String line : Files.readAllLines(log)) {
            Matcher m = PAUSE.matcher(line);
            if (m.find()) {
                double at = Double.parseDouble(m.group(1)) * 1000;
                if (at > fromMillis && at <= toMillis) {
                    double pause = Double.parseDouble(m.group(2));
                    total += pause;
                    longest = Math.max(longest, pause);
                }
            }
        }
        return new double[]{total, longest};
    }
}
