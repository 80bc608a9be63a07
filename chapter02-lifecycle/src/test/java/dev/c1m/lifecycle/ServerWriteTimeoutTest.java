package dev.c1m.lifecycle;

import dev.c1m.echo.LineClient;
import dev.c1m.echo.TcpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.c1m.echo.testing.Await.until;
import static org.assertj.core.api.Assertions.assertThat;

/** The write watchdog inside the server: a client that sends but never reads is cut off. */
@Timeout(30)
class ServerWriteTimeoutTest {

    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void aClientThatNeverReadsItsRepliesIsClosedForWriteTimeoutAndOthersAreServed() throws Exception {
        ManualClock clock = new ManualClock();
        ServerLimits limits = new ServerLimits(Duration.ofDays(1), WRITE_TIMEOUT, 1024, Duration.ofSeconds(5));
        try (LifecycleServer server = LifecycleServer.start("writetimeout",
                TcpServer.bind(new InetSocketAddress("127.0.0.1", 0), 0), () -> limits, clock, Duration.ofMillis(10));
             LineClient neverReads = LineClient.connect(server.localAddress(), WAIT);
             LineClient polite = LineClient.connect(server.localAddress(), WAIT)) {
            CompletableFuture<IOException> sender = CompletableFuture.supplyAsync(() -> sendUntilFailure(neverReads));

            // Move time on one second per poll: a write blocked through eleven polls is past the timeout.
            until("the server closed the connection for its blocked write", WAIT, () -> {
                clock.advance(Duration.ofSeconds(1));
                return server.tracker().closedFor(CloseReason.WRITE_TIMEOUT) == 1;
            });

            assertThat(sender.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("the sender saw the close").isNotNull();
            assertThat(polite.request("still served")).isEqualTo("echo: still served");
            assertThat(server.tracker().active()).isEqualTo(1);
        }
    }

    private static IOException sendUntilFailure(LineClient client) {
        byte[] lines = "x".repeat(1000).concat("\n").repeat(64).getBytes(StandardCharsets.UTF_8);
        try {
            while (true) {
                client.sendRaw(lines);
            }
        } catch (IOException expected) {
            return expected;
        }
    }
}
