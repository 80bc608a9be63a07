package dev.c1m.tuning.bench;

import java.util.Arrays;

/**
 * Order statistics of a finished set of samples (latencies in nanoseconds, counts per listener,
 * bytes): median, nearest-rank percentiles, min, max, mean and population standard deviation.
 * Immutable; the benchmarks of this package use it to report medians and p99 instead of a lone mean.
 */
record SampleStats(long[] sorted) {

    SampleStats {
        if (sorted.length == 0) {
            throw new IllegalArgumentException("no samples");
        }
    }

    static SampleStats of(long... samples) {
        long[] copy = samples.clone();
        Arrays.sort(copy);
        return new SampleStats(copy);
    }

    int count() {
        return sorted.length;
    }

    long min() {
        return sorted[0];
    }

    long max() {
        return sorted[sorted.length - 1];
    }

    /** The median; for an even count the lower of the two middle samples (a measured value, not an average). */
    long median() {
        return percentile(50);
    }

    /** Nearest-rank percentile: the smallest sample with at least {@code p}% of the samples at or below it. */
    long percentile(double p) {
        if (p <= 0 || p > 100) {
            throw new IllegalArgumentException("percentile must be in (0, 100]: " + p);
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[rank - 1];
    }

    double mean() {
        return Arrays.stream(sorted).average().orElseThrow();
    }

    /** Population standard deviation (the samples are all there is, not a sample of a larger set). */
    double stddev() {
        double mean = mean();
        return Math.sqrt(Arrays.stream(sorted).mapToDouble(v -> (v - mean) * (v - mean)).sum() / sorted.length);
    }

    /** How many samples are at least {@code threshold}. */
    long countAtLeast(long threshold) {
        return Arrays.stream(sorted).filter(v -> v >= threshold).count();
    }
}
