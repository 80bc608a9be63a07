package dev.c1m.echo;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AcceptBackoffTest {

    private final List<Duration> slept = new ArrayList<>();
    private final AcceptBackoff backoff = new AcceptBackoff(Duration.ofMillis(5), Duration.ofMillis(50), slept::add);

    @Test
    void doublesThePauseAfterEachConsecutiveFailureUpToTheMaximum() throws InterruptedException {
        for (int i = 0; i < 6; i++) {
            backoff.pauseAfterFailure();
        }

        assertThat(slept).extracting(Duration::toMillis).containsExactly(5L, 10L, 20L, 40L, 50L, 50L);
    }

    @Test
    void startsAgainFromTheInitialPauseAfterASuccess() throws InterruptedException {
        backoff.pauseAfterFailure();
        backoff.pauseAfterFailure();
        backoff.reset();
        backoff.pauseAfterFailure();

        assertThat(slept).extracting(Duration::toMillis).containsExactly(5L, 10L, 5L);
    }

    @Test
    void nextPauseDoublesAndResetsLikeAFailureButSleepsNever() {
        List<Long> pauses = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            pauses.add(backoff.nextPause().toMillis());
        }
        backoff.reset();
        pauses.add(backoff.nextPause().toMillis());

        assertThat(pauses).containsExactly(5L, 10L, 20L, 40L, 50L, 5L);
        assertThat(slept).isEmpty();
    }

    @Test
    void refusesAZeroInitialPauseOrAMaximumBelowIt() {
        assertThatThrownBy(() -> new AcceptBackoff(Duration.ZERO, Duration.ofSeconds(1), d -> { }))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AcceptBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1), d -> { }))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
