package dev.c1m.lifecycle;

import dev.c1m.echo.LineClient;
import dev.c1m.echo.bench.ChildJvm;
import dev.c1m.lifecycle.demo.LifecycleServerMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;

import static dev.c1m.echo.testing.Await.until;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The server as a real process: SIGTERM drains it and it exits with status 0.
 *
 * <p>SIGTERM goes through {@link ChildJvm#terminate()}, which sends it through the process's
 * {@link ProcessHandle}: {@link Process#destroy()} would also close the pipe of the child's
 * output, and nothing the child prints while it drains could be read any more.
 */
@Timeout(60)
class SigtermDrainTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void sigtermDrainsEveryConnectionAndExitsZero() throws Exception {
        try (ChildJvm child = ChildJvm.start(List.of(), List.of("-Xmx64m"), LifecycleServerMain.class,
                "--port", "0", "--tick-ms", "20")) {
            Matcher listening = child.awaitLine("listening on ([0-9.]+):(\\d+)", WAIT);
            InetSocketAddress address = new InetSocketAddress(listening.group(1), Integer.parseInt(listening.group(2)));

            try (LineClient idle = LineClient.connect(address, WAIT);
                 LineClient midRequest = LineClient.connect(address, WAIT)) {
                assertThat(idle.request("first")).isEqualTo("echo: first");
                assertThat(midRequest.request("warm-up")).isEqualTo("echo: warm-up");
                midRequest.sendRaw("unfin".getBytes(StandardCharsets.UTF_8));

                child.terminate();
                child.awaitLine("signal received: draining", WAIT);

                assertThat(idle.readLine()).as("idle connection closed by the drain").isNull();
                midRequest.send("ished");
                assertThat(midRequest.readLine()).isEqualTo("echo: unfinished");
                assertThat(midRequest.readLine()).isNull();
            }

            int status = child.awaitExit(WAIT);
            // awaitLine gives up as soon as the process is gone, even if its last lines are still in the pipe.
            until("the child's last line was read", WAIT, () -> child.output().contains("drained:"));
            assertThat(status).as("exit status; output:%n%s", child.output()).isZero();
            assertThat(child.output()).contains("drained: 2 connection(s) open at start, 0 force-closed");
        }
    }
}
