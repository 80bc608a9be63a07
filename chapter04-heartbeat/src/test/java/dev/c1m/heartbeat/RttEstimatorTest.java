package dev.c1m.heartbeat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

@Timeout(10)
class RttEstimatorTest {

    private static final long MS = 1_000_000;

    private final RttEstimator estimator =
            new RttEstimator(Duration.ofSeconds(1), Duration.ofMillis(5), Duration.ofSeconds(3));

    @Test
    void usesTheInitialTimeoutBeforeAnySample() {
        assertThat(estimator.timeoutNanos()).isEqualTo(1_000 * MS);
    }

    @Test
    void firstSampleSetsTheMeanAndHalfOfItAsVariance() {
        estimator.addSample(40 * MS);

        assertThat(estimator.smoothedNanos()).isEqualTo(40 * MS);
        assertThat(estimator.varianceNanos()).isEqualTo(20 * MS);
        assertThat(estimator.timeoutNanos()).isEqualTo(40 * MS + 4 * 20 * MS);
    }

    @Test
    void convergesOnAStableDelayAndNarrowsTheTimeoutToItPlusTheGranularity() {
        estimator.addSample(100 * MS);
        for (int i = 0; i < 100; i++) {
            estimator.addSample(20 * MS);
        }

        assertThat(estimator.smoothedNanos()).isCloseTo(20 * MS, within(MS / 10));
        assertThat(estimator.varianceNanos()).isLessThan(MS / 10);
        assertThat(estimator.timeoutNanos()).isCloseTo(21 * MS, within(MS / 2));
    }

    @Test
    void jitteryDelaysWidenTheTimeoutBeyondTheMean() {
        Random random = new Random(7);
        for (int i = 0; i < 200; i++) {
            estimator.addSample(10 * MS + random.nextLong(20 * MS));
        }

        assertThat(estimator.smoothedNanos()).isBetween(15 * MS, 25 * MS);
        assertThat(estimator.timeoutNanos()).isGreaterThan(estimator.smoothedNanos() + 4 * MS);
    }

    @Test
    void neverGoesBelowTheFloorOnAFastSteadyLink() {
        for (int i = 0; i < 100; i++) {
            estimator.addSample(50_000);
        }

        assertThat(estimator.timeoutNanos()).isEqualTo(5 * MS);
    }

    @Test
    void neverGoesAboveTheCeiling() {
        estimator.addSample(2_000 * MS);

        assertThat(estimator.timeoutNanos()).isEqualTo(3_000 * MS);
    }
}
