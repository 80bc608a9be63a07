package dev.c1m.heartbeat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Random;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(10)
class BackoffTest {

    private static final long MS = 1_000_000;

    @Test
    void envelopeDoublesFromTheBaseUntilTheCap() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(3), 100, new Random(1));

        assertThat(backoff.ceilingNanos(0)).isEqualTo(100 * MS);
        assertThat(backoff.ceilingNanos(1)).isEqualTo(200 * MS);
        assertThat(backoff.ceilingNanos(4)).isEqualTo(1_600 * MS);
        assertThat(backoff.ceilingNanos(5)).isEqualTo(3_000 * MS);
        assertThat(backoff.ceilingNanos(80)).isEqualTo(3_000 * MS);
    }

    @Test
    void everyDelayOfASeededSequenceStaysInsideItsEnvelope() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(3), 1_000, new SplittableRandom(42));

        for (int attempt = 0; attempt < 1_000; attempt++) {
            long delay = backoff.nextDelay().toNanos();
            assertThat(delay).isBetween(0L, backoff.ceilingNanos(attempt));
        }
    }

    @Test
    void jitterUsesTheWholeEnvelopeNotJustItsTop() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofMillis(100), 10_000, new SplittableRandom(42));
        long below25 = 0;
        long above75 = 0;
        for (int i = 0; i < 10_000; i++) {
            long delay = backoff.nextDelay().toNanos();
            below25 += delay < 25 * MS ? 1 : 0;
            above75 += delay > 75 * MS ? 1 : 0;
        }

        assertThat(below25).isBetween(2_000L, 3_000L);
        assertThat(above75).isBetween(2_000L, 3_000L);
    }

    @Test
    void resetAfterASuccessStartsAgainFromTheBase() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(30), 100, new SplittableRandom(3));
        for (int i = 0; i < 8; i++) {
            backoff.nextDelay();
        }

        backoff.reset();

        assertThat(backoff.attempts()).isZero();
        for (int i = 0; i < 50; i++) {
            backoff.reset();
            assertThat(backoff.nextDelay().toNanos()).isLessThanOrEqualTo(100 * MS);
        }
    }

    @Test
    void stopsAfterTheMaximumNumberOfAttempts() {
        Backoff backoff = new Backoff(Duration.ofMillis(1), Duration.ofMillis(10), 3, new SplittableRandom(5));
        backoff.nextDelay();
        backoff.nextDelay();
        backoff.nextDelay();

        assertThat(backoff.hasAttemptsLeft()).isFalse();
        assertThatThrownBy(backoff::nextDelay).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void sameSeedGivesTheSameSequence() {
        Backoff first = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(3), 20, new SplittableRandom(9));
        Backoff second = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(3), 20, new SplittableRandom(9));

        for (int i = 0; i < 20; i++) {
            assertThat(first.nextDelay()).isEqualTo(second.nextDelay());
        }
    }
}
