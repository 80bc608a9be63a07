package dev.c1m.tuning.bench;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class StallWatchTest {

    @Test
    void passesTheClockThroughAndRemembersTheLongestPauseBetweenReads() {
        AtomicLong time = new AtomicLong(1_000);
        StallWatch watch = new StallWatch(time::get);

        assertThat(watch.getAsLong()).isEqualTo(1_000);
        assertThat(watch.longestGapNanos()).isZero();
        time.set(1_500);
        watch.getAsLong();
        time.set(12_000);
        watch.getAsLong();
        time.set(12_100);
        assertThat(watch.getAsLong()).isEqualTo(12_100);

        assertThat(watch.longestGapNanos()).isEqualTo(10_500);
    }

    @Test
    void timeBetweenReadsIsNotAStallUntilTheNextRead() {
        AtomicLong time = new AtomicLong(0);
        StallWatch watch = new StallWatch(time::get);
        watch.getAsLong();

        time.set(99_000);

        assertThat(watch.longestGapNanos()).isZero();
    }
}
