package dev.c1m.tuning;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/** How many SO_REUSEPORT processes hold N connections when each holds at most so many. */
@Timeout(10)
class ReusePortSizingTest {

    @Test
    void oneProcessHoldsAllItsLimitAllows() {
        assertThat(ReusePortSizing.processesFor(19_800, 19_800)).isEqualTo(1);
        assertThat(ReusePortSizing.processesFor(1, 19_800)).isEqualTo(1);
        assertThat(ReusePortSizing.processesFor(19_801, 19_800)).isEqualTo(2);
    }

    @Test
    void aMillionAt19800EachTakesFiftyThreeProcessesWhereAnEvenSpreadWouldTakeFiftyOne() {
        assertThat(ReusePortSizing.processesFor(1_000_000, 19_800)).isEqualTo(53);
    }

    @Test
    void theFullestProcessStaysFourAndAHalfStandardDeviationsUnderItsLimitWithNoProcessToSpare() {
        for (long connections : new long[] {30_000, 100_000, 250_000, 1_000_000, 2_000_000}) {
            int processes = ReusePortSizing.processesFor(connections, 19_800);

            assertThat(fullest(connections, processes)).as("%,d connections over %d", connections, processes)
                    .isLessThanOrEqualTo(19_800);
            assertThat(fullest(connections, processes - 1)).as("%,d connections over %d", connections, processes - 1)
                    .isGreaterThan(19_800);
        }
    }

    @Test
    void theRoomForTheSpreadIsARelativelyLargerShareWhenEachProcessHoldsFew() {
        // 1,000,000 at 924 each: 1,083 if the spread were even; a mean of 797 leaves 4.5 x 28 for it
        assertThat(ReusePortSizing.processesFor(1_000_000, 924)).isEqualTo(1_255);
    }

    /** The mean share plus 4.5 standard deviations of a binomial count. */
    private static double fullest(long connections, int processes) {
        double mean = connections / (double) processes;
        return mean + 4.5 * Math.sqrt(mean * (1 - 1.0 / processes));
    }
}
