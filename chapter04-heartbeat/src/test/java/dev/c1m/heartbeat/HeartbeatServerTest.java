package dev.c1m.heartbeat;

import dev.c1m.echo.EchoProtocol;
import dev.c1m.echo.LineClient;
import dev.c1m.echo.TcpServer;
import dev.c1m.echo.testing.Await;
import dev.c1m.echo.testing.LiveThreads;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The server over real sockets. Idle timeouts run on a manual clock that the test advances, so a
 * stalled test thread on a busy machine can never look like a silent client; one test checks the
 * real clock too.
 */
@Timeout(30)
class HeartbeatServerTest {

    private static final long MS = 1_000_000;
    private static final Duration IDLE = Duration.ofSeconds(10);
    private static final Duration TICK = Duration.ofMillis(10);
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final ManualClock clock = new ManualClock();
    private HeartbeatServer server;

    /**
     * A clock the test sets. It counts the reads made by the wheel's thread, which reads it twice
     * per turn (to park, then to expire): three reads after a change prove that a whole expiry
     * pass has run at the new time.
     */
    private static final class ManualClock implements LongSupplier {
        private final AtomicLong now = new AtomicLong();
        private final AtomicLong wheelReads = new AtomicLong();

        @Override
        public long getAsLong() {
            if (Thread.currentThread().getName().endsWith("-wheel")) {
                wheelReads.incrementAndGet();
            }
            return now.get();
        }

        void advanceTo(long nanos) throws InterruptedException {
            now.set(nanos);
            long seen = wheelReads.get();
            Await.until("the wheel ran at " + nanos / MS + " ms", TIMEOUT, () -> wheelReads.get() >= seen + 3);
        }
    }

    @BeforeEach
    void startServer() throws IOException {
        server = HeartbeatServer.start("hb-test", TcpServer.bind(new InetSocketAddress("127.0.0.1", 0), 0),
                settings(IDLE), clock);
    }

    @AfterEach
    void closeServer() {
        server.close();
    }

    private static HeartbeatServer.Settings settings(Duration idle) {
        return new HeartbeatServer.Settings(idle, TICK, 64, null, Duration.ZERO, EchoProtocol.DEFAULT_MAX_LINE_BYTES);
    }

    private LineClient connect(HeartbeatServer target) throws IOException {
        return LineClient.connect(target.localAddress(), TIMEOUT);
    }

    @Test
    void answersAPingWithAPongCarryingItsNumbersAndEchoesOtherLines() throws IOException {
        try (LineClient client = connect(server)) {
            assertThat(client.request("PING 1 123456789")).isEqualTo("PONG 1 123456789");
            assertThat(client.request("hello")).isEqualTo("echo: hello");
        }
    }

    @Test
    void answersAMalformedHeartbeatWithAnErrorAndKeepsTheConnection() throws IOException {
        try (LineClient client = connect(server)) {
            assertThat(client.request("PING soon")).isEqualTo(HeartbeatProtocol.MALFORMED_REPLY);
            assertThat(client.request("PING 2 5")).isEqualTo("PONG 2 5");
        }
    }

    @Test
    void closesASilentConnectionAtTheIdleTimeoutAndNotBefore() throws Exception {
        try (LineClient client = connect(server)) {
            assertThat(client.request("last words at 0")).isEqualTo("echo: last words at 0");

            clock.advanceTo(IDLE.toNanos() - 1);
            assertThat(server.idleClosed()).isZero();
            assertThat(server.activeConnections()).isEqualTo(1);

            clock.advanceTo(IDLE.plus(TICK).toNanos());
            Await.until("the silent connection is closed", TIMEOUT, () -> server.idleClosed() == 1);
            assertThat(readUntilClosed(client)).isNull();
        }
    }

    @Test
    void keepsAConnectionThatSpeaksWithinEveryTimeoutWhileClosingASilentNeighbour() throws Exception {
        try (LineClient talker = connect(server); LineClient silent = connect(server)) {
            assertThat(silent.request("hello")).isEqualTo("echo: hello");
            for (int quarter = 0; quarter <= 12; quarter++) {
                clock.advanceTo(quarter * IDLE.toNanos() / 4);
                assertThat(talker.request("PING " + quarter + " 0")).isEqualTo("PONG " + quarter + " 0");
            }

            assertThat(readUntilClosed(silent)).isNull();
            assertThat(talker.request("still here")).isEqualTo("echo: still here");
            assertThat(server.idleClosed()).isEqualTo(1);
        }
    }

    @Test
    void idleCloseReleasesTheConnectionOnTheServer() throws Exception {
        try (LineClient client = connect(server)) {
            client.request("hello");
            assertThat(server.activeConnections()).isEqualTo(1);

            clock.advanceTo(IDLE.plus(TICK).toNanos());

            assertThat(readUntilClosed(client)).isNull();
            Await.until("the server released the connection", TIMEOUT, () -> server.activeConnections() == 0);
        }
    }

    @Test
    void closesASilentConnectionOnTheRealClockNoEarlierThanTheTimeout() throws IOException {
        Duration idle = Duration.ofMillis(300);
        try (HeartbeatServer realTime = HeartbeatServer.start("hb-real",
                TcpServer.bind(new InetSocketAddress("127.0.0.1", 0), 0), settings(idle))) {
            long connectStart = System.nanoTime();
            try (LineClient client = connect(realTime)) {
                // The read times out after 10 s: a server that never closes fails here.
                assertThat(readUntilClosed(client)).isNull();

                assertThat(System.nanoTime() - connectStart).isGreaterThanOrEqualTo(idle.toNanos());
                assertThat(realTime.idleClosed()).isEqualTo(1);
            }
        }
    }

    @Test
    void closeLeavesNoThreadBehind() throws Exception {
        try (LineClient client = connect(server)) {
            client.request("PING 1 1");
            server.close();
            Await.until("the server's threads ended", TIMEOUT, () -> LiveThreads.namedLike("hb-test").isEmpty());
        }
    }

    /** Reads until the server closes; null for a clean EOF, which a reset is reported as too. */
    private static String readUntilClosed(LineClient client) throws IOException {
        try {
            return client.readLine();
        } catch (SocketException reset) {
            return null;
        }
    }
}
