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
}
