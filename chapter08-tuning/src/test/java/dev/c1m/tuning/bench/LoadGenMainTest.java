package dev.c1m.tuning.bench;

import dev.c1m.echo.bench.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The load generator's main as a script sees it: its output and its exit status, in a JVM of its own. */
@Timeout(60)
class LoadGenMainTest {

    @Test
    void whenNotASingleConnectionOpensItReportsAndExitsWithStatus1AtOnce() throws Exception {
        int closedPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closedPort = probe.getLocalPort(); // free again below: every connect is refused
        }
        try (ChildJvm load = ChildJvm.start(LoadGenMain.class, "hold", "--port", Integer.toString(closedPort),
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
