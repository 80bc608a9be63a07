package dev.c1m.tuning.bench;

import dev.c1m.echo.bench.ChildJvm;
import dev.c1m.echo.testing.ReservedPort;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The load generator's main as a script sees it: its output and its exit status, in a JVM of its own. */
@Timeout(60)
class LoadGenMainTest {

    @Test
    void whenNotASingleConnectionOpensItReportsAndExitsWithStatus1AtOnce() throws Exception {
        try (ReservedPort refusing = ReservedPort.pick(); // bound, never listening: every connect is refused
             ChildJvm load = ChildJvm.start(LoadGenMain.class, "hold", "--port", Integer.toString(refusing.address().getPort()),
                "--connections", "3", "--hold", "1s", "--quiet")) {
            long start = System.nanoTime();

            int status = load.awaitExit(Duration.ofSeconds(30));

            assertThat(status).isEqualTo(1);
            assertThat(load.output()).contains("0 of 3 connected").contains("CONNECT_REFUSED 3");
            // it exits from main after its report: a System.exit inside the run made the SIGTERM
            // hook wait out the whole close grace (65 s) for a report that had been printed
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
        }
    }
}
