package dev.c1m.tuning.bench;

import dev.c1m.concurrency.load.LatencyHistogram;
import dev.c1m.tuning.LoadReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** "Heartbeat RTT while holding" is made of the load's whole steps between the ramp and the census. */
@Timeout(10)
class C1mRunSteadyWindowTest {

    private static final Duration STEP = Duration.ofSeconds(10);

    /** Step k holds k + 1 round trips of k + 1 ms each, so a merged histogram tells which steps it took. */
    private static List<LoadReport.Step> steps(int count) {
        List<LoadReport.Step> steps = new ArrayList<>();
        for (int k = 0; k < count; k++) {
            LatencyHistogram h = new LatencyHistogram();
            for (int i = 0; i <= k; i++) {
                h.record(Duration.ofMillis(k + 1).toNanos());
            }
            steps.add(new LoadReport.Step(1000, STEP.toNanos(), k + 1, k + 1, 0, 1, h));
        }
        return steps;
    }

    @Test
    void onlyTheStepsWhollyInsideTheWindowCount() {
        LatencyHistogram within = C1mRun.roundTripsWithin(steps(10), STEP, Duration.ofSeconds(25), Duration.ofSeconds(61));

        // steps 3, 4 and 5 (30-60 s); step 2 begins before 25 s, step 6 ends after 61 s
        assertThat(within.count()).isEqualTo(4 + 5 + 6);
        assertThat(within.percentile(0).toMillis()).isEqualTo(4);
        assertThat(within.max()).isEqualTo(Duration.ofMillis(6));
    }

    @Test
    void aWindowShorterThanAStepHoldsNoRoundTrip() {
        assertThat(C1mRun.roundTripsWithin(steps(10), STEP, Duration.ofSeconds(31), Duration.ofSeconds(39)).count()).isZero();
    }

    @Test
    void stepsThatTheLoadNeverReachedAreNotInvented() {
        assertThat(C1mRun.roundTripsWithin(steps(3), STEP, Duration.ofSeconds(20), Duration.ofSeconds(100)).count()).isEqualTo(3);
    }
}
