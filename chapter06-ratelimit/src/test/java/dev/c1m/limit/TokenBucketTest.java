package dev.c1m.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TokenBucketTest {

    private final ManualClock clock = new ManualClock();
    /** 10 per second: one token every 100 ms, at most 5 saved up. */
    private final TokenBucket bucket = new TokenBucket(Rate.perSecond(10), 5, clock);

    @Test
    void aFullBucketAdmitsExactlyItsBurstAtOnce() {
        assertThat(Admissions.of(bucket, 20)).isEqualTo(5);
        assertThat(bucket.availableTokens()).isZero();
    }

    @Test
    void refillsOneTokenPerIntervalAndKeepsTheFraction() {
        Admissions.of(bucket, 5);
        clock.advanceMillis(99);
        assertThat(bucket.tryAcquire()).isFalse();
        clock.advanceMillis(1);
        assertThat(Admissions.of(bucket, 3)).isEqualTo(1);

        clock.advanceMillis(250); // 2.5 tokens: two now, the half is kept
        assertThat(Admissions.of(bucket, 3)).isEqualTo(2);
        clock.advanceMillis(50);
        assertThat(Admissions.of(bucket, 3)).isEqualTo(1);
    }

    @Test
    void neverSavesMoreThanTheBurstHoweverLongItIdles() {
        clock.advanceMillis(3_600_000);
        assertThat(Admissions.of(bucket, 100)).isEqualTo(5);
    }

    @Test
    void steadyOverloadIsHeldToTheBurstPlusTheRate() {
        int admitted = 0;
        for (int ms = 0; ms < 10_000; ms += 10) { // 100 requests per second offered for 10 s
            admitted += bucket.tryAcquire() ? 1 : 0;
            clock.advanceMillis(10);
        }
        // 5 saved at the start, then one per 100 ms for the 9,990 ms between first and last attempt
        assertThat(admitted).isEqualTo(5 + 99);
    }

    @Test
    void aRequestRateBelowTheLimitIsNeverRefused() {
        for (int i = 0; i < 1_000; i++) {
            assertThat(bucket.tryAcquire()).as("request %d", i).isTrue();
            clock.advanceMillis(100);
        }
    }

    @Test
    void refusesABurstOfZero() {
        assertThatThrownBy(() -> new TokenBucket(Rate.perSecond(1), 0, clock)).isInstanceOf(IllegalArgumentException.class);
    }
}
