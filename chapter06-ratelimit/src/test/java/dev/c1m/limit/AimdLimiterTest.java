package dev.c1m.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AimdLimiterTest {

    private static final long FAST = TimeUnit.MILLISECONDS.toNanos(5);
    private static final long SLOW = TimeUnit.MILLISECONDS.toNanos(80);

    /** Starts at 20, stays within [2, 40], targets 20 ms, keeps 90 % of the limit on each slow sample. */
    private final AimdLimiter limiter = new AimdLimiter(20, 2, 40, Duration.ofMillis(20), 0.9);

    @Test
    void admitsUpToTheLimitInFlight() {
        int admitted = 0;
        while (limiter.tryAcquire()) {
            admitted++;
        }
        assertThat(admitted).isEqualTo(20);
        assertThat(limiter.inFlight()).isEqualTo(20);
    }

    @Test
    void theLimitFallsMultiplicativelyWhenLatencyRises() {
        for (int expected : new int[] {18, 16, 14, 12, 10}) {
            completeOne(SLOW);
            assertThat(limiter.limit()).isEqualTo(expected);
        }
    }

    @Test
    void theLimitNeverFallsBelowItsMinimum() {
        for (int i = 0; i < 100; i++) {
            assertThat(limiter.tryAcquire()).isTrue();
            limiter.onDropped();
        }
        assertThat(limiter.limit()).isEqualTo(2);
    }

    @Test
    void theLimitRecoversAdditivelyWhenLatencyFallsWhileTheLimitIsUsed() {
        for (int i = 0; i < 5; i++) {
            completeOne(SLOW);
        }
        assertThat(limiter.limit()).isEqualTo(10);

        for (int round = 1; round <= 30; round++) {
            fillAndCompleteAll(FAST);
        }
        assertThat(limiter.limit()).isEqualTo(40);
        assertThat(limiter.inFlight()).isZero();
    }

    @Test
    void anIdleServerDoesNotInflateItsLimit() {
        for (int i = 0; i < 1_000; i++) {
            completeOne(FAST); // one request in flight at a time: far below half of 20
        }
        assertThat(limiter.limit()).isEqualTo(20);
    }

    @Test
    void findsALimitWhereLatencyTurnsBadAndStaysNearIt() {
        // a simulated server: fast while at most 12 requests share it, slow beyond that
        int lowest = Integer.MAX_VALUE;
        int highest = 0;
        for (int round = 0; round < 200; round++) {
            int admitted = 0;
            while (limiter.tryAcquire()) {
                admitted++;
            }
            long latency = admitted <= 12 ? FAST : SLOW;
            for (int i = 0; i < admitted; i++) {
                limiter.onSuccess(latency);
            }
            if (round >= 150) {
                lowest = Math.min(lowest, limiter.limit());
                highest = Math.max(highest, limiter.limit());
            }
        }
        assertThat(lowest).as("never collapses towards the minimum of 2").isGreaterThanOrEqualTo(10);
        assertThat(highest).as("never runs away towards the maximum of 40").isLessThanOrEqualTo(16);
    }

    @Test
    void aBurstOfSlowResponsesCostsOneDecreaseNotOnePerResponse() {
        fillAndCompleteAll(SLOW);
        assertThat(limiter.limit()).isEqualTo(18);
    }

    @Test
    void aCompletionWithoutAnAdmissionIsABug() {
        assertThatThrownBy(() -> limiter.onSuccess(FAST)).isInstanceOf(IllegalStateException.class);
    }

    private void completeOne(long latencyNanos) {
        assertThat(limiter.tryAcquire()).isTrue();
        limiter.onSuccess(latencyNanos);
    }

    private void fillAndCompleteAll(long latencyNanos) {
        int admitted = 0;
        while (limiter.tryAcquire()) {
            admitted++;
        }
        for (int i = 0; i < admitted; i++) {
            limiter.onSuccess(latencyNanos);
        }
    }
}
