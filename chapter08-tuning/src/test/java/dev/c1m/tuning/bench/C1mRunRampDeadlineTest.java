package dev.c1m.tuning.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** A ramp that cannot finish ends at a deadline, so a collapsing run still holds, stops and reports. */
@Timeout(10)
class C1mRunRampDeadlineTest {

    @Test
    void aMillionAtFifteenThousandPerSecondMayRampForThreeTimesItsSixtySevenSecondsPlusAMinute() {
        assertThat(C1mRun.rampDeadline(1_000_000, 15_000)).isEqualTo(Duration.ofMillis(200_000 + 60_000));
    }

    @Test
    void aSlowerRateGetsALongerDeadline() {
        assertThat(C1mRun.rampDeadline(1_000_000, 12_000)).isGreaterThan(C1mRun.rampDeadline(1_000_000, 15_000));
    }

    @Test
    void aSmallRunStillGetsItsMinute() {
        assertThat(C1mRun.rampDeadline(100, 15_000)).isEqualTo(Duration.ofMillis(20).plus(C1mRun.RAMP_DEADLINE_MARGIN));
    }
}
