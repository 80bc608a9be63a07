package dev.c1m.tuning.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class SampleStatsTest {

    @Test
    void percentilesAreNearestRankOverTheSortedSamples() {
        SampleStats s = SampleStats.of(50, 10, 40, 20, 30, 60, 70, 80, 90, 100);

        assertThat(s.min()).isEqualTo(10);
        assertThat(s.max()).isEqualTo(100);
        assertThat(s.percentile(10)).isEqualTo(10);
        assertThat(s.percentile(11)).isEqualTo(20);
        assertThat(s.percentile(99)).isEqualTo(100);
        assertThat(s.percentile(100)).isEqualTo(100);
    }

    @Test
    void medianOfAnEvenCountIsTheLowerMiddleSampleNotAnAverage() {
        assertThat(SampleStats.of(4, 1, 3, 2).median()).isEqualTo(2);
        assertThat(SampleStats.of(3, 1, 2).median()).isEqualTo(2);
    }

    @Test
    void standardDeviationIsThePopulationOne() {
        SampleStats s = SampleStats.of(2, 4, 4, 4, 5, 5, 7, 9);

        assertThat(s.mean()).isEqualTo(5.0);
        assertThat(s.stddev()).isCloseTo(2.0, within(1e-12));
        assertThat(SampleStats.of(250, 250, 250, 250).stddev()).isZero();
    }

    @Test
    void countsSamplesAtOrAboveAThreshold() {
        SampleStats s = SampleStats.of(1, 20, 20, 44, 3);

        assertThat(s.countAtLeast(20)).isEqualTo(3);
        assertThat(s.countAtLeast(45)).isZero();
    }

    @Test
    void doesNotChangeTheCallersArray() {
        long[] samples = {3, 1, 2};

        SampleStats.of(samples);

        assertThat(samples).containsExactly(3, 1, 2);
    }

    @Test
    void refusesNoSamplesAndPercentilesOutsideTheRange() {
        assertThatThrownBy(SampleStats::of).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no samples");
        SampleStats s = SampleStats.of(1);
        assertThatThrownBy(() -> s.percentile(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> s.percentile(100.5)).isInstanceOf(IllegalArgumentException.class);
    }
}
