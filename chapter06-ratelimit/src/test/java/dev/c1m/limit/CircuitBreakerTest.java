package dev.c1m.limit;

import static dev.c1m.limit.CircuitBreaker.NOT_PERMITTED;
import static dev.c1m.limit.CircuitBreaker.State.CLOSED;
import static dev.c1m.limit.CircuitBreaker.State.HALF_OPEN;
import static dev.c1m.limit.CircuitBreaker.State.OPEN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.c1m.limit.CircuitBreaker.State;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {

    private final ManualClock clock = new ManualClock();
    private final List<String> transitions = new ArrayList<>();
    /** Last 10 calls, at least 4 recorded, opens at 50 % failures, open for 5 s, 2 probes. */
    private final CircuitBreaker breaker = new CircuitBreaker(
            new CircuitBreaker.Settings(10, 4, 0.5, Duration.ofSeconds(5), 2),
            clock, (from, to) -> transitions.add(from + "->" + to));

    @Test
    void staysClosedBelowTheFailureRate() {
        for (int i = 0; i < 100; i++) {
            call(i % 3 == 2 ? Result.FAIL : Result.OK); // never more than 4 in any 10
        }
        assertThat(breaker.state()).isEqualTo(CLOSED);
        assertThat(transitions).isEmpty();
    }

    @Test
    void opensExactlyWhenTheFailureRateReachesTheThreshold() {
        call(Result.OK);
        call(Result.OK);
        call(Result.OK);
        call(Result.FAIL);
        call(Result.FAIL); // 2 of 5: 40 %
        assertThat(breaker.state()).isEqualTo(CLOSED);
        call(Result.FAIL); // 3 of 6: 50 %
        assertThat(breaker.state()).isEqualTo(OPEN);
        assertThat(transitions).containsExactly("CLOSED->OPEN");
    }

    @Test
    void waitsForTheMinimumNumberOfCallsBeforeJudging() {
        call(Result.FAIL);
        call(Result.FAIL);
        call(Result.FAIL); // 100 %, but only 3 calls
        assertThat(breaker.state()).isEqualTo(CLOSED);
        call(Result.FAIL);
        assertThat(breaker.state()).isEqualTo(OPEN);
    }

    @Test
    void judgesOnlyTheLastWindowOfCalls() {
        for (int i = 0; i < 4; i++) {
            call(Result.FAIL);
        }
        advancePastOpenDuration();
        call(Result.OK);
        call(Result.OK); // closed again, window empty
        transitions.clear();
        for (int i = 0; i < 6; i++) {
            call(Result.OK);
        }
        for (int i = 0; i < 4; i++) {
            call(Result.FAIL); // 4 of 10
        }
        call(Result.FAIL); // oldest OK slides out: 5 of 10
        assertThat(transitions).containsExactly("CLOSED->OPEN");
    }

    @Test
    void refusesEveryCallWhileOpen() {
        open();
        for (int i = 0; i < 100; i++) {
            assertThat(breaker.tryAcquire()).isEqualTo(NOT_PERMITTED);
            clock.advanceMillis(49); // 4.9 s in total, still short of the open duration
        }
        assertThat(breaker.state()).isEqualTo(OPEN);
    }

    @Test
    void letsExactlyTheProbesThroughAfterTheOpenDuration() {
        open();
        advancePastOpenDuration();
        long first = breaker.tryAcquire();
        long second = breaker.tryAcquire();
        assertThat(breaker.state()).isEqualTo(HALF_OPEN);
        assertThat(first).isNotEqualTo(NOT_PERMITTED);
        assertThat(second).isNotEqualTo(NOT_PERMITTED);
        assertThat(breaker.tryAcquire()).as("a third call while the probes run").isEqualTo(NOT_PERMITTED);
        assertThat(transitions).containsExactly("CLOSED->OPEN", "OPEN->HALF_OPEN");
    }

    @Test
    void closesWhenEveryProbeSucceeds() {
        open();
        advancePastOpenDuration();
        long first = breaker.tryAcquire();
        long second = breaker.tryAcquire();
        breaker.onSuccess(first);
        assertThat(breaker.state()).isEqualTo(HALF_OPEN);
        breaker.onSuccess(second);
        assertThat(breaker.state()).isEqualTo(CLOSED);
        assertThat(transitions).containsExactly("CLOSED->OPEN", "OPEN->HALF_OPEN", "HALF_OPEN->CLOSED");
        assertThat(breaker.tryAcquire()).isNotEqualTo(NOT_PERMITTED);
    }

    @Test
    void reopensForAFullDurationWhenAProbeFails() {
        open();
        advancePastOpenDuration();
        long first = breaker.tryAcquire();
        breaker.tryAcquire();
        breaker.onFailure(first);
        assertThat(breaker.state()).isEqualTo(OPEN);
        clock.advance(Duration.ofMillis(4_999));
        assertThat(breaker.tryAcquire()).isEqualTo(NOT_PERMITTED);
        clock.advanceMillis(1);
        assertThat(breaker.tryAcquire()).isNotEqualTo(NOT_PERMITTED);
        assertThat(transitions).containsExactly("CLOSED->OPEN", "OPEN->HALF_OPEN", "HALF_OPEN->OPEN", "OPEN->HALF_OPEN");
    }

    @Test
    void aLateSuccessFromBeforeTheOpeningNeverClosesIt() {
        long slowCall = breaker.tryAcquire(); // admitted while closed, answers much later
        open();
        breaker.onSuccess(slowCall);
        assertThat(breaker.state()).isEqualTo(OPEN);
        advancePastOpenDuration();
        breaker.tryAcquire();
        breaker.onSuccess(slowCall); // not a probe: must not count towards closing
        breaker.onSuccess(slowCall);
        assertThat(breaker.state()).isEqualTo(HALF_OPEN);
    }

    @Test
    void aLateFailureFromBeforeTheOpeningDoesNotReopenAHalfOpenBreaker() {
        long slowCall = breaker.tryAcquire();
        open();
        advancePastOpenDuration();
        breaker.tryAcquire();
        breaker.onFailure(slowCall);
        assertThat(breaker.state()).isEqualTo(HALF_OPEN);
    }

    @Test
    void neverGoesFromClosedToHalfOpenOrFromOpenToClosed() {
        List<State[]> seen = new ArrayList<>();
        CircuitBreaker observed = new CircuitBreaker(new CircuitBreaker.Settings(4, 2, 0.5, Duration.ofSeconds(1), 1),
                clock, (from, to) -> seen.add(new State[] {from, to}));
        java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < 10_000; i++) {
            long permit = observed.tryAcquire();
            if (permit != NOT_PERMITTED) {
                if (random.nextInt(3) == 0) {
                    observed.onFailure(permit);
                } else {
                    observed.onSuccess(permit);
                }
            }
            clock.advanceMillis(random.nextInt(200));
        }
        assertThat(seen).hasSizeGreaterThan(10);
        for (State[] t : seen) {
            assertThat(t[0] + "->" + t[1]).isIn("CLOSED->OPEN", "OPEN->HALF_OPEN", "HALF_OPEN->CLOSED", "HALF_OPEN->OPEN");
        }
        for (int i = 1; i < seen.size(); i++) {
            assertThat(seen.get(i)[0]).as("transitions chain").isEqualTo(seen.get(i - 1)[1]);
        }
    }

    private enum Result { OK, FAIL }

    private void call(Result result) {
        long permit = breaker.tryAcquire();
        assertThat(permit).isNotEqualTo(NOT_PERMITTED);
        if (result == Result.OK) {
            breaker.onSuccess(permit);
        } else {
            breaker.onFailure(permit);
        }
    }

    private void open() {
        for (int i = 0; i < 4; i++) {
            call(Result.FAIL);
        }
        assertThat(breaker.state()).isEqualTo(OPEN);
    }

    private void advancePastOpenDuration() {
        clock.advance(Duration.ofSeconds(5));
    }
}
