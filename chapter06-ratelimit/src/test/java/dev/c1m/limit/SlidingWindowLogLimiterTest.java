package dev.c1m.limit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SlidingWindowLogLimiterTest {

    private final ManualClock clock = new ManualClock();
    private final SlidingWindowLogLimiter limiter = new SlidingWindowLogLimiter(10, Duration.ofSeconds(1), clock);

    @Test
    void hasNoBoundaryBurst() {
        clock.advanceMillis(999);
        assertThat(Admissions.of(limiter, 10)).isEqualTo(10);
        clock.advanceMillis(1);
        assertThat(Admissions.of(limiter, 10)).isZero();
        clock.advanceMillis(998);
        assertThat(Admissions.of(limiter, 10)).isZero();
        clock.advanceMillis(1); // the first ten are now exactly one window old
        assertThat(Admissions.of(limiter, 20)).isEqualTo(10);
    }

    @Test
    void freesOnePermitAsEachAdmissionAgesOut() {
        for (int i = 0; i < 10; i++) {
            assertThat(limiter.tryAcquire()).isTrue();
            clock.advanceMillis(100);
        }
        // t = 1000 ms: the admission at 0 has aged out, the one at 100 ms has not
        assertThat(Admissions.of(limiter, 5)).isEqualTo(1);
        clock.advanceMillis(100);
        assertThat(Admissions.of(limiter, 5)).isEqualTo(1);
    }

    @Test
    void noSpanOfOneWindowEverHoldsMoreThanTheLimit() {
        long[] admittedAtMillis = new long[10_000];
        int admitted = 0;
        for (int ms = 0; ms < 10_000; ms += 7) {
            for (int burst = 0; burst < 3; burst++) {
                if (limiter.tryAcquire()) {
                    admittedAtMillis[admitted++] = ms;
                }
            }
            clock.advanceMillis(7);
        }
        for (int i = 10; i < admitted; i++) {
            assertThat(admittedAtMillis[i] - admittedAtMillis[i - 10]).as("admission %d", i).isGreaterThanOrEqualTo(1000);
        }
        assertThat(admitted).as("the limit is reached, not just respected").isGreaterThanOrEqualTo(90);
    }
}
