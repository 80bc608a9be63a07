package dev.c1m.limit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class FixedWindowLimiterTest {

    private final ManualClock clock = new ManualClock();
    private final FixedWindowLimiter limiter = new FixedWindowLimiter(10, Duration.ofSeconds(1), clock);

    @Test
    void admitsTheLimitInEachWindowAndNothingMore() {
        assertThat(Admissions.of(limiter, 25)).isEqualTo(10);
        clock.advanceMillis(999);
        assertThat(Admissions.of(limiter, 5)).isZero();
        clock.advanceMillis(1);
        assertThat(Admissions.of(limiter, 25)).isEqualTo(10);
    }

    @Test
    void letsTwiceTheLimitThroughAcrossAWindowBoundary() {
        clock.advanceMillis(999);
        int beforeBoundary = Admissions.of(limiter, 10);
        clock.advanceMillis(1);
        int afterBoundary = Admissions.of(limiter, 10);
        // the known weakness: 20 admissions within 1 ms, twice the limit of 10 per second
        assertThat(beforeBoundary + afterBoundary).isEqualTo(20);
    }

    @Test
    void windowsStayAlignedAfterAnIdleGap() {
        clock.advanceMillis(5_700); // inside the window [5 s, 6 s)
        assertThat(Admissions.of(limiter, 20)).isEqualTo(10);
        clock.advanceMillis(299);
        assertThat(limiter.tryAcquire()).isFalse();
        clock.advanceMillis(1); // 6 s: a new window
        assertThat(limiter.tryAcquire()).isTrue();
    }
}
