package dev.c1m.tuning;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(10)
class LatencyHistogramTest {

    @Test
    void everyValueFallsInABucketWithinSixPercentOfIt() {
        for (long v = 1; v < 1L << 50; v = v * 3 + 7) {
            int index = LatencyHistogram.indexOf(v);
            assertThat(LatencyHistogram.lowerBound(index)).isLessThanOrEqualTo(v);
            assertThat(LatencyHistogram.upperBound(index)).isGreaterThanOrEqualTo(v);
            assertThat((double) LatencyHistogram.upperBound(index) - LatencyHistogram.lowerBound(index))
                    .isLessThanOrEqualTo(v / 16.0);
        }
    }

    @Test
    void percentilesOfAUniformSpreadAreCloseAndOrdered() {
        LatencyHistogram h = new LatencyHistogram();
        for (long micros = 1; micros <= 10_000; micros++) {
            h.record(micros * 1000);
        }

        assertThat(h.count()).isEqualTo(10_000);
        assertThat(h.percentile(50)).isBetween(5_000_000L, 5_000_000L * 17 / 16);
        assertThat(h.percentile(99)).isBetween(9_900_000L, 9_900_000L * 17 / 16);
        assertThat(h.percentile(100)).isEqualTo(h.max()).isEqualTo(10_000_000L);
        assertThat(h.percentile(50)).isLessThanOrEqualTo(h.percentile(90));
        assertThat(h.percentile(90)).isLessThanOrEqualTo(h.percentile(99));
        assertThat(h.percentile(99)).isLessThanOrEqualTo(h.percentile(99.9));
        assertThat(h.percentile(99.9)).isLessThanOrEqualTo(h.max());
    }

    @Test
    void anEmptyHistogramReportsZeroAndAnImpossiblePercentileIsRejected() {
        LatencyHistogram h = new LatencyHistogram();

        assertThat(h.percentile(99)).isZero();
        assertThatThrownBy(() -> h.percentile(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> h.percentile(101)).isInstanceOf(IllegalArgumentException.class);
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
    }
}
