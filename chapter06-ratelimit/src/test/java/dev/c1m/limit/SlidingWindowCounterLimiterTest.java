package dev.c1m.limit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SlidingWindowCounterLimiterTest {

    private final ManualClock clock = new ManualClock();
    private final SlidingWindowCounterLimiter limiter = new SlidingWindowCounterLimiter(10, Duration.ofSeconds(1), clock);

    @Test
    void admitsTheLimitWithinOneWindow() {
        assertThat(Admissions.of(limiter, 25)).isEqualTo(10);
    }

    @Test
    void thePreviousWindowWeighsByItsUnelapsedFraction() {
        clock.advanceMillis(999);
        assertThat(Admissions.of(limiter, 10)).isEqualTo(10);
        clock.advanceMillis(1); // boundary: the previous window still weighs 10 of 10
        assertThat(Admissions.of(limiter, 10)).isZero();
        clock.advanceMillis(500); // it weighs 5 now
        assertThat(Admissions.of(limiter, 10)).isEqualTo(5);
        clock.advanceMillis(300); // 2 now, plus the 5 of this window
        assertThat(Admissions.of(limiter, 10)).isEqualTo(3);
    }

    @Test
    void forgetsEverythingAfterTwoQuietWindows() {
        Admissions.of(limiter, 10);
        clock.advanceMillis(2_000);
        assertThat(Admissions.of(limiter, 25)).isEqualTo(10);
    }

    @Test
    void theBoundaryBurstOfTheFixedWindowIsGone() {
        FixedWindowLimiter fixed = new FixedWindowLimiter(10, Duration.ofSeconds(1), clock);
        clock.advanceMillis(999);
        int fixedAdmitted = Admissions.of(fixed, 10);
        int slidingAdmitted = Admissions.of(limiter, 10);
        clock.advanceMillis(2);
        fixedAdmitted += Admissions.of(fixed, 10);
        slidingAdmitted += Admissions.of(limiter, 10);
        assertThat(fixedAdmitted).isEqualTo(20);
        assertThat(slidingAdmitted).isEqualTo(10);
    }
}
