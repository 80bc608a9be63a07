package dev.c1m.concurrency.load;

import java.time.Duration;
import java.util.StringJoiner;

/**
 * Counts latencies (in nanoseconds) in log-linear buckets, to answer percentile questions with
 * a bounded error and fixed memory, however many values are recorded.
 *
 * <p>Layout: values below 64 ns have a bucket each; above, every power of two is split into 64
 * equal buckets, so a reported percentile is at most 1/64 (1.6 %) above the true value. The
 * bucket array has {@value #BUCKETS} counters (about 30 KiB).
 *
 * <p>Not thread-safe: give each recording thread its own histogram and {@link #add} them at the
 * end, so that recording never contends. Negative values are recorded as 0. {@link #encode()} and
 * {@link #decode} carry a histogram between processes as text (chapter 8's load generator merges
 * its child processes' histograms this way).
 */
public final class LatencyHistogram {

    private static final int SUB_BUCKET_BITS = 6;
    private static final int SUB_BUCKETS = 1 << SUB_BUCKET_BITS;
    static final int BUCKETS = (64 - SUB_BUCKET_BITS + 1) * SUB_BUCKETS;

    private final long[] counts = new long[BUCKETS];
    private long total;
    private long maxNanos;

    public void record(long nanos) {
        long value = Math.max(0, nanos);
        counts[bucketOf(value)]++;
        total++;
        maxNanos = Math.max(maxNanos, value);
    }

    /** Adds every count of {@code other} to this histogram. */
    public void add(LatencyHistogram other) {
        for (int i = 0; i < BUCKETS; i++) {
            counts[i] += other.counts[i];
        }
        total += other.total;
        maxNanos = Math.max(maxNanos, other.maxNanos);
    }

    public long count() {
        return total;
    }

    public Duration max() {
        return Duration.ofNanos(maxNanos);
    }

    /**
     * The smallest bucket bound that at least {@code percentile} percent of values do not exceed
     * (capped at the largest value recorded); zero for an empty histogram.
     */
    public Duration percentile(double percentile) {
        if (percentile < 0 || percentile > 100) {
            throw new IllegalArgumentException("percentile must be within [0, 100], got " + percentile);
        }
        if (total == 0) {
            return Duration.ZERO;
        }
        long rank = Math.max(1, (long) Math.ceil(percentile / 100 * total));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return Duration.ofNanos(Math.min(highestValueIn(i), maxNanos));
            }
        }
        return Duration.ofNanos(maxNanos);
    }

    /** A compact text form: {@code max;bucket:count,bucket:count,...}, non-empty buckets only. */
    public String encode() {
        StringJoiner buckets = new StringJoiner(",");
        for (int i = 0; i < BUCKETS; i++) {
            if (counts[i] != 0) {
                buckets.add(i + ":" + counts[i]);
            }
        }
        return maxNanos + ";" + buckets;
    }

    /** The inverse of {@link #encode()}. */
    public static LatencyHistogram decode(String text) {
        int semicolon = text.indexOf(';');
        if (semicolon < 0) {
            throw new IllegalArgumentException("not an encoded histogram: '" + text + "'");
        }
        LatencyHistogram histogram = new LatencyHistogram();
        histogram.maxNanos = Long.parseLong(text.substring(0, semicolon));
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

    static int bucketOf(long value) {
        if (value < SUB_BUCKETS) {
            return (int) value;
        }
        int exponent = 63 - Long.numberOfLeadingZeros(value);
        int shift = exponent - SUB_BUCKET_BITS;
        int sub = (int) ((value >>> shift) & (SUB_BUCKETS - 1));
        return (shift + 1) * SUB_BUCKETS + sub;
    }

    static long highestValueIn(int bucket) {
        if (bucket < SUB_BUCKETS) {
            return bucket;
        }
        int shift = bucket / SUB_BUCKETS - 1;
        long sub = bucket % SUB_BUCKETS;
        long lowest = (SUB_BUCKETS + sub) << shift;
        return lowest + (1L << shift) - 1;
    }
}
