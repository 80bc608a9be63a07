package dev.c1m.limit.demo;

import dev.c1m.echo.demo.ConsoleLog;
import dev.c1m.echo.demo.Options;
import dev.c1m.limit.FixedWindowLimiter;
import dev.c1m.limit.LeakyBucket;
import dev.c1m.limit.NanoClock;
import dev.c1m.limit.Rate;
import dev.c1m.limit.RateLimiter;
import dev.c1m.limit.SlidingWindowCounterLimiter;
import dev.c1m.limit.SlidingWindowLogLimiter;
import dev.c1m.limit.TokenBucket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Replays one scripted traffic pattern against the five rate limiters on a simulated clock and
 * prints, per 100 ms slice, how many requests each admitted; then, per limiter, the total and the
 * most admissions found in any one-second span (the limit is {@code --limit} per second, so any
 * value above it is the limiter's inaccuracy). Deterministic: no real time is involved.
 *
 * <p>The pattern: {@code --steady} requests per second throughout three seconds, plus a burst of
 * {@code --burst} requests spread over the 100 ms on either side of the one-second boundary
 * (where the fixed window is weakest).
 *
 * <pre>
 * java -cp chapter06-ratelimit/target/classes:chapter01-echo/target/classes \
 *      dev.c1m.limit.demo.LimiterTimelineDemo [--limit 10] [--steady 5] [--burst 40]
 * </pre>
 */
public final class LimiterTimelineDemo {

    private static final String USAGE = """
            usage: LimiterTimelineDemo [--limit N] [--steady N] [--burst N]
              --limit   requests per second every limiter allows (default 10; token bucket burst and leaky queue = limit)
              --steady  requests per second offered all the time (default 5)
              --burst   extra requests offered in the 200 ms around t = 1 s (default 40)
            """;

    private static final long MS = 1_000_000L;
    private static final int STEP_MS = 5;
    private static final int DURATION_MS = 3_000;

    public static void main(String[] args) {
        ConsoleLog.oneLinePerRecord();
        Options options = Options.parseOrExit(args, USAGE, List.of("limit", "steady", "burst"), List.of());
        int limit = options.integer("limit", 10, 1, 1_000);
        int steady = options.integer("steady", 5, 0, 200);
        int burst = options.integer("burst", 40, 0, 10_000);
        System.out.printf("limit=%d/s steady=%d/s burst=%d around t=1s, simulated clock%n%n", limit, steady, burst);

        long[] now = {0};
        NanoClock clock = () -> now[0];
        Map<String, RateLimiter> limiters = new LinkedHashMap<>();
        limiters.put("token", new TokenBucket(Rate.perSecond(limit), limit, clock));
        limiters.put("fixed", new FixedWindowLimiter(limit, Duration.ofSeconds(1), clock));
        limiters.put("log", new SlidingWindowLogLimiter(limit, Duration.ofSeconds(1), clock));
        limiters.put("counter", new SlidingWindowCounterLimiter(limit, Duration.ofSeconds(1), clock));

        LeakyBucket leaky = new LeakyBucket(Rate.perSecond(limit), limit, clock);
        Map<String, List<Long>> admittedAt = new LinkedHashMap<>();
        limiters.keySet().forEach(name -> admittedAt.put(name, new ArrayList<>()));
        List<Long> leakyLeavesAt = new ArrayList<>();
        admittedAt.put("leaky*", leakyLeavesAt);
        List<Long> offeredAt = new ArrayList<>();
        for (int ms = 0; ms < DURATION_MS; ms += STEP_MS) {
            now[0] = ms * MS;
            int requests = offeredIn(ms, steady, burst);
            for (int r = 0; r < requests; r++) {
                offeredAt.add(now[0]);
                for (Map.Entry<String, RateLimiter> e : limiters.entrySet()) {
                    if (e.getValue().tryAcquire()) {
                        admittedAt.get(e.getKey()).add(now[0]);
                    }
                }
                long delay = leaky.tryEnqueue();
                if (delay != LeakyBucket.REFUSED) {
                    leakyLeavesAt.add(now[0] + delay);
                }
            }
        }

        System.out.printf("%-12s %8s", "slice (ms)", "offered");
        admittedAt.keySet().forEach(name -> System.out.printf(" %8s", name));
        System.out.println();
        for (int slice = 0; slice < DURATION_MS; slice += 100) {
            System.out.printf("%5d-%-6d %8d", slice, slice + 100, countIn(offeredAt, slice, slice + 100));
            for (List<Long> times : admittedAt.values()) {
                System.out.printf(" %8d", countIn(times, slice, slice + 100));
            }
            System.out.println();
        }
        System.out.printf("%-12s %8d", "total", offeredAt.size());
        admittedAt.values().forEach(times -> System.out.printf(" %8d", times.size()));
        System.out.printf("%n%-12s %8s", "max in 1 s", "");
        admittedAt.values().forEach(times -> System.out.printf(" %8d", maxInAnySpan(times, 1_000 * MS)));
        System.out.printf("%n%n* leaky: counted when a request leaves the bucket (one every %d ms), not when it enters;"
                + "%n  requests still queued at the end are not shown.%n", 1_000 / limit);
    }

    /** Requests offered in the step starting at {@code ms}: the steady rate, plus the burst around 1 s. */
    private static int offeredIn(int ms, int steadyPerSecond, int burst) {
        int stepsPerSecond = 1_000 / STEP_MS;
        int steadyNow = (ms / STEP_MS + 1) * steadyPerSecond / stepsPerSecond - (ms / STEP_MS) * steadyPerSecond / stepsPerSecond;
        int burstSteps = 200 / STEP_MS;
        int step = (ms - 900) / STEP_MS;
        int burstNow = ms >= 900 && ms < 1_100 ? (step + 1) * burst / burstSteps - step * burst / burstSteps : 0;
        return steadyNow + burstNow;
    }

    private static int countIn(List<Long> times, long fromMs, long toMs) {
        return (int) times.stream().filter(t -> t >= fromMs * MS && t < toMs * MS).count();
    }

    /** The most entries of {@code times} (sorted) within any half-open span of {@code span} nanoseconds. */
    private static int maxInAnySpan(List<Long> times, long span) {
        int most = 0;
        int start = 0;
        for (int end = 0; end < times.size(); end++) {
            while (times.get(end) - times.get(start) >= span) {
                start++;
            }
            most = Math.max(most, end - start + 1);
        }
        return most;
    }
}
