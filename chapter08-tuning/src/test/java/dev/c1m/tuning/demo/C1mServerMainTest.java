package dev.c1m.tuning.demo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/** How many worker processes the million-connection server starts for a number of connections. */
@Timeout(10)
class C1mServerMainTest {

    private static final long LIMIT = 20_000;

    @Test
    void oneWorkerServesEverythingItsDescriptorLimitAllows() {
        int perWorker = C1mServerMain.perWorker(LIMIT);

        assertThat(perWorker).isEqualTo(19_800);
        assertThat(C1mServerMain.workersFor(perWorker, LIMIT)).isEqualTo(1);
        assertThat(C1mServerMain.workersFor(perWorker + 1, LIMIT)).isEqualTo(2);
    }

    @Test
    void aMillionUnderTwentyThousandDescriptorsTakesFiftyThreeWorkers() {
        assertThat(C1mServerMain.workersFor(1_000_000, LIMIT)).isEqualTo(53);
    }

    @Test
    void theFullestWorkerStaysFourAndAHalfStandardDeviationsUnderItsLimitWithNoWorkerToSpare() {
        int perWorker = C1mServerMain.perWorker(LIMIT);
        for (long connections : new long[] {30_000, 100_000, 250_000, 1_000_000, 2_000_000}) {
            int workers = C1mServerMain.workersFor(connections, LIMIT);

            assertThat(fullest(connections, workers)).as("%,d connections over %d workers", connections, workers)
                    .isLessThanOrEqualTo(perWorker);
            assertThat(fullest(connections, workers - 1)).as("%,d connections over %d workers", connections, workers - 1)
                    .isGreaterThan(perWorker);
        }
    }

    /** The mean share plus 4.5 standard deviations of a binomial count. */
    private static double fullest(long connections, int workers) {
        double mean = connections / (double) workers;
        return mean + 4.5 * Math.sqrt(mean * (1 - 1.0 / workers));
    }
}
