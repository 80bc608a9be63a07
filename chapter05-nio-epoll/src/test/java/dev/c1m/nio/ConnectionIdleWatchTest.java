package dev.c1m.nio;

import dev.c1m.echo.EchoProtocol;
import dev.c1m.echo.LineClient;
import dev.c1m.echo.testing.Await;
import dev.c1m.heartbeat.IdleDetector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Connection#watchIdle}: chapter 4's idle detector on the reactor's own timing wheel,
 * refreshed by every read that brings data, left when the connection closes. (The detector's
 * rules themselves are chapter 4's tests, on a clock they advance; these check the wiring.)
 */
@Timeout(30)
class ConnectionIdleWatchTest {

    private static final Duration IDLE_TIMEOUT = Duration.ofMillis(600);
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(10);

    private final AtomicInteger closedForIdleness = new AtomicInteger();
    private ReactorServer server;
    private IdleDetector<Connection> detector; // created and used on the one reactor's thread

    @BeforeEach
    void startServer() throws IOException {
        server = ReactorServer.singleReactor("idle-watch", new InetSocketAddress("127.0.0.1", 0), connection -> {
            connection.watchIdle(detectorOf(connection.reactor()));
            return new LineProtocolHandler(connection, EchoProtocol.DEFAULT_MAX_LINE_BYTES, LineProtocolHandler.Responder.ECHO);
        }, ReactorSettings.defaults());
    }

    @AfterEach
    void closeServer() {
        server.close();
    }

    private IdleDetector<Connection> detectorOf(Reactor reactor) {
        if (detector == null) {
            detector = new IdleDetector<>(reactor.timers(), IDLE_TIMEOUT, (connection, idleNanos) -> {
                closedForIdleness.incrementAndGet();
                connection.close();
            });
        }
        return detector;
    }

    @Test
    void aSilentConnectionIsClosedByItsReactorsWheelNoEarlierThanTheTimeout() throws Exception {
        try (LineClient client = LineClient.connect(server.localAddress(), CLIENT_TIMEOUT)) {
            long beforeLastTraffic = System.nanoTime(); // the server sees the line later than this
            assertThat(client.request("hello")).isEqualTo("echo: hello");

            assertThat(client.readLine()).as("the server closes the silent connection").isNull();

            assertThat(System.nanoTime() - beforeLastTraffic).isGreaterThanOrEqualTo(IDLE_TIMEOUT.toNanos());
            assertThat(closedForIdleness).hasValue(1);
        }
    }

    @Test
    void readsThatBringDataKeepAConnectionOpenPastTheTimeout() throws Exception {
        try (LineClient client = LineClient.connect(server.localAddress(), CLIENT_TIMEOUT)) {
            long end = System.nanoTime() + 3 * IDLE_TIMEOUT.toNanos();
            for (int i = 0; System.nanoTime() < end; i++) {
                assertThat(client.request("beat " + i)).isEqualTo("echo: beat " + i);
                Thread.sleep(IDLE_TIMEOUT.toMillis() / 6); // traffic, not a wait for a timer: a stall of 5/6 of the timeout would fail this
            }

            assertThat(client.request("still here")).isEqualTo("echo: still here");
            assertThat(closedForIdleness).hasValue(0);
        }
    }

    @Test
    void aConnectionThatClosesLeavesTheWheel() throws Exception {
        try (LineClient client = LineClient.connect(server.localAddress(), CLIENT_TIMEOUT)) {
            assertThat(client.request("hello")).isEqualTo("echo: hello");
            assertThat(trackedOnTheReactor()).isEqualTo(1);
        }

        Await.until("the closed connection leaves the detector", CLIENT_TIMEOUT, () -> trackedOnTheReactor() == 0);
        assertThat(closedForIdleness).hasValue(0);
    }

    /** The detector's count, read on its reactor's thread like everything else about it. */
    private int trackedOnTheReactor() {
        Reactor reactor = server.workers().getFirst();
        CompletableFuture<Integer> tracked = new CompletableFuture<>();
        reactor.execute(() -> tracked.complete(detector.trackedCount()));
        return tracked.orTimeout(5, TimeUnit.SECONDS).join();
    }
}
