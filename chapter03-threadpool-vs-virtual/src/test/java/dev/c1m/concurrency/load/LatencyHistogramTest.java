package dev.c1m.concurrency.load;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class LatencyHistogramTest {

    @Test
    void smallValuesAreExact() {
        LatencyHistogram histogram = new LatencyHistogram();
        for (long nanos = 1; nanos <= 50; nanos++) {
            histogram.record(nanos);
        }
        assertThat(histogram.percentile(50)).isEqualTo(Duration.ofNanos(25));
        assertThat(histogram.percentile(100)).isEqualTo(Duration.ofNanos(50));
        assertThat(histogram.count()).isEqualTo(50);
    }

    @Test
    void percentilesOfAUniformSpreadAreWithinTheBucketError() {
        LatencyHistogram histogram = new LatencyHistogram();
        for (long micros = 1; micros <= 10_000; micros++) {
            histogram.record(micros * 1_000);
        }
        assertThat((double) histogram.percentile(50).toNanos()).isCloseTo(5_000_000, within(5_000_000 / 64.0));
        assertThat((double) histogram.percentile(99).toNanos()).isCloseTo(9_900_000, within(9_900_000 / 64.0));
        assertThat((double) histogram.percentile(99.9).toNanos()).isCloseTo(9_990_000, within(9_990_000 / 64.0));
        assertThat(histogram.max()).isEqualTo(Duration.ofMillis(10));
    }

    @Test
    void aPercentileNeverUnderstatesTheValueAtItsRank() {
        LatencyHistogram histogram = new LatencyHistogram();
        long[] values = {70, 1_000, 123_456, 5_000_000, 987_654_321, 3_000_000_000L};
        for (long value : values) {
            histogram.record(value);
        }
        for (int rank = 1; rank <= values.length; rank++) {
            double percentile = 100.0 * rank / values.length;
            long reported = histogram.percentile(percentile).toNanos();
            assertThat(reported).isBetween(values[rank - 1], values[rank - 1] + values[rank - 1] / 64);
        }
    }

    @Test
    void everyValueFallsInABucketWhoseRangeContainsIt() {
        for (long value : new long[] {0, 63, 64, 65, 127, 128, 1_000_003, Long.MAX_VALUE / 3, Long.MAX_VALUE}) {
            int bucket = LatencyHistogram.bucketOf(value);
            assertThat(bucket).isBetween(0, LatencyHistogram.BUCKETS - 1);
            assertThat(LatencyHistogram.highestValueIn(bucket)).isGreaterThanOrEqualTo(value);
            if (bucket > 0) {
                assertThat(LatencyHistogram.highestValueIn(bucket - 1)).isLessThan(value);
            }
        }
    }

    @Test
    void addingHistogramsEqualsRecordingIntoOne() {
        LatencyHistogram first = new LatencyHistogram();
        LatencyHistogram second = new LatencyHistogram();
        LatencyHistogram both = new LatencyHistogram();
        for (long i = 1; i <= 1_000; i++) {
            (i % 2 == 0 ? first : second).record(i * 997);
            both.record(i * 997);
        }
        first.add(second);
        assertThat(first.count()).isEqualTo(both.count());
        for (double p : new double[] {1, 50, 90, 99, 99.9, 100}) {
            assertThat(first.percentile(p)).isEqualTo(both.percentile(p));
        }
        assertThat(first.max()).isEqualTo(both.max());
    }

    @Test
    void anEmptyHistogramReportsZeroAndRejectsNonsense() {
        LatencyHistogram histogram = new LatencyHistogram();
        assertThat(histogram.percentile(99)).isEqualTo(Duration.ZERO);
        assertThatThrownBy(() -> histogram.percentile(101)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void encodingAndMergingKeepEveryCount() {
        Random random = new Random(42);
        LatencyHistogram a = new LatencyHistogram();
        LatencyHistogram b = new LatencyHistogram();
        LatencyHistogram both = new LatencyHistogram();
        for (int i = 0; i < 5000; i++) {
            long v = (long) Math.exp(random.nextDouble() * 20);
            (i % 2 == 0 ? a : b).record(v);
            both.record(v);
        }

        LatencyHistogram merged = LatencyHistogram.decode(a.encode());
        merged.add(LatencyHistogram.decode(b.encode()));

        assertThat(merged.encode()).isEqualTo(both.encode());
        assertThat(merged.count()).isEqualTo(5000);
        assertThat(merged.percentile(99.9)).isEqualTo(both.percentile(99.9));
        assertThat(merged.max()).isEqualTo(both.max());
    }
}
