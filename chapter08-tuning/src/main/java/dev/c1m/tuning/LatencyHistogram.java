package dev.c1m.tuning;

import java.util.Arrays;
import java.util.StringJoiner;

/**
 * A histogram of non-negative durations in nanoseconds with logarithmic buckets: each power of two
 * is split into 16 linear sub-buckets, so any recorded value is known to within 6.25% while the
 * whole range (1 ns to centuries) fits in 1,024 counters (8 KiB). Percentiles report the upper
 * bound of their bucket (never optimistic), capped at the exact maximum.
 *
 * <pre>
 *   value v (bits)      0 0 ... 0 1 b b b b x x x ... x
 *                                 ^ msb   ^^^^ sub-bucket (4 bits after the msb)
 *   index = (msb - 3) * 16 + sub      (values below 16 are counted exactly)
 * </pre>
 *
 * <p>Not thread-safe: one histogram belongs to the thread that records into it (the load
 * generator's selector thread); {@link #add} merges histograms from several threads or processes
 * afterwards. {@link #encode()} / {@link #decode} carry it between processes as text.
 */
public final class LatencyHistogram {

    private static final int SUB_BITS = 4;
    private static final int SUB_BUCKETS = 1 << SUB_BITS;
    private static final int BUCKETS = 64 * SUB_BUCKETS;

    private final long[] counts = new long[BUCKETS];
    private long total;
    private long max;

    public void record(long nanos) {
        long value = Math.max(0, nanos);
        counts[indexOf(value)]++;
        total++;
        max = Math.max(max, value);
    }

    public long count() {
        return total;
    }

    public long max() {
        return max;
    }

    /**
     * The smallest bucket upper bound that at least {@code percentile} % of the values do not
     * exceed, capped at {@link #max()}; 0 when empty.
     */
    public long percentile(double percentile) {
        if (percentile <= 0 || percentile > 100) {
            throw new IllegalArgumentException("percentile must be in (0, 100], got " + percentile);
        }
        if (total == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(percentile / 100.0 * total);
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return Math.min(upperBound(i), max);
            }
        }
        return max;
    }

    /** Adds every value of {@code other} to this histogram. */
    public void add(LatencyHistogram other) {
        for (int i = 0; i < BUCKETS; i++) {
            counts[i] += other.counts[i];
        }
        total += other.total;
        max = Math.max(max, other.max);
    }

    /** A compact text form: {@code max;index:count,index:count,...} (only non-empty buckets). */
    public String encode() {
        StringJoiner buckets = new StringJoiner(",");
        for (int i = 0; i < BUCKETS; i++) {
            if (counts[i] != 0) {
                buckets.add(i + ":" + counts[i]);
            }
        }
        return max + ";" + buckets;
    }

    /** The inverse of {@link #encode()}. */
    public static LatencyHistogram decode(String text) {
        LatencyHistogram histogram = new LatencyHistogram();
        int semicolon = text.indexOf(';');
        if (semicolon < 0) {
            throw new IllegalArgumentException("not an encoded histogram: '" + text + "'");
        }
        histogram.max = Long.parseLong(text.substring(0, semicolon));
        String buckets = text.substring(semicolon + 1);
        if (!buckets.isEmpty()) {
            for (String bucket : buckets.split(",")) {
                int colon = bucket.indexOf(':');
                long count = Long.parseLong(bucket.substring(colon + 1));
                histogram.counts[Integer.parseInt(bucket.substring(0, colon))] += count;
                histogram.total += count;
            }
        }
        return histogram;
    }

    static int indexOf(long value) {
        if (value < SUB_BUCKETS) {
            return (int) value;
        }
        int msb = 63 - Long.numberOfLeadingZeros(value);
        int shift = msb - SUB_BITS;
        int sub = (int) (value >>> shift) & (SUB_BUCKETS - 1);
        return (shift + 1) * SUB_BUCKETS + sub;
    }

    static long lowerBound(int index) {
        if (index < SUB_BUCKETS) {
            return index;
        }
        int shift = index / SUB_BUCKETS - 1;
        return (long) (SUB_BUCKETS + index % SUB_BUCKETS) << shift;
    }

    static long upperBound(int index) {
        return index + 1 < BUCKETS ? lowerBound(index + 1) - 1 : Long.MAX_VALUE;
    }

    @Override
    public String toString() {
        return "LatencyHistogram[count=" + total + ", max=" + max + ", nonEmpty="
                + Arrays.stream(counts).filter(c -> c != 0).count() + "]";
    }
}
