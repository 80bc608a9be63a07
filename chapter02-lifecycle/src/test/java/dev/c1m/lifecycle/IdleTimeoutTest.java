package dev.c1m.lifecycle;

import dev.c1m.echo.LineClient;
import dev.c1m.echo.TcpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.time.Duration;

import static dev.c1m.echo.testing.Await.until;
import static org.assertj.core.api.Assertions.assertThat;

/** The idle timeout runs on the injected clock; real time only paces the connections' ticks. */
@Timeout(20)
class IdleTimeoutTest {

    private static final Duration IDLE = Duration.ofSeconds(30);
    private static final Duration WAIT = Duration.ofSeconds(5);

    private final ManualClock clock = new ManualClock();
    private LifecycleServer server;

    @BeforeEach
    void start() throws Exception {
        ServerLimits limits = new ServerLimits(IDLE, Duration.ofSeconds(10), 1024, Duration.ofSeconds(5));
        server = LifecycleServer.start("idle", TcpServer.bind(new InetSocketAddress("127.0.0.1", 0), 0),
                () -> limits, clock, Duration.ofMillis(10));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void closesASilentConnectionAndNotAnActiveOne() throws Exception {
        try (LineClient silent = LineClient.connect(server.localAddress(), WAIT);
             LineClient active = LineClient.connect(server.localAddress(), WAIT)) {
            until("both connections tracked", WAIT, () -> server.tracker().active() == 2);

            clock.advance(IDLE.dividedBy(2));
            assertThat(active.request("ping")).isEqualTo("echo: ping");
            // The reply can arrive before the server's write call returns, and the write timeout
            // (10 s) runs on the same clock: a write still stamped 15 s when the clock jumps to
            // 30 s would be closed as blocked. A wake-up from a read means the write is done.
            long wakeupsAfterReply = newestConnection().wakeups();
            until("the active connection reads again", WAIT, () -> newestConnection().wakeups() > wakeupsAfterReply);
            clock.advance(IDLE.dividedBy(2).plusMillis(1));

            assertThat(silent.readLine()).as("silent connection closed by the server").isNull();
            assertThat(server.tracker().closedFor(CloseReason.IDLE_TIMEOUT)).isEqualTo(1);
            long wakeupsNow = onlyOpenConnection().wakeups();
            until("the active connection checked its idle time twice more", WAIT,
                    () -> onlyOpenConnection().wakeups() >= wakeupsNow + 2);
            assertThat(active.request("still open")).isEqualTo("echo: still open");
        }
    }

    @Test
    void aConnectionIsNotClosedAtExactlyTheIdleTimeout() throws Exception {
        try (LineClient client = LineClient.connect(server.localAddress(), WAIT)) {
            until("connection tracked", WAIT, () -> server.tracker().active() == 1);
            clock.advance(IDLE);
            long wakeupsNow = onlyOpenConnection().wakeups();
            until("two more idle checks", WAIT, () -> onlyOpenConnection().wakeups() >= wakeupsNow + 2);

            assertThat(client.request("in time")).isEqualTo("echo: in time");
        }
    }

    private ConnectionSnapshot onlyOpenConnection() {
        return server.tracker().snapshot().getFirst();
    }

    private ConnectionSnapshot newestConnection() {
        return server.tracker().snapshot().getLast();
    }
}
