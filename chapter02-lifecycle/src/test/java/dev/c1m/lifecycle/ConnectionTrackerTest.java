package dev.c1m.lifecycle;

import dev.c1m.echo.LineClient;
import dev.c1m.echo.LineEchoHandler;
import dev.c1m.echo.TcpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.c1m.echo.testing.Await.until;
import static org.assertj.core.api.Assertions.assertThat;

@Timeout(20)
class ConnectionTrackerTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private final ManualClock clock = new ManualClock();

    @Test
    void countsReturnToZeroAfterCleanCloses() throws Exception {
        try (LifecycleServer server = LifecycleServer.start("tracked",
                TcpServer.bind(new InetSocketAddress("127.0.0.1", 0), 0), ServerLimits::defaults, clock,
                Duration.ofMillis(20))) {
            List<LineClient> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 20; i++) {
                    LineClient client = LineClient.connect(server.localAddress(), WAIT);
                    clients.add(client);
                    assertThat(client.request("hello " + i)).isEqualTo("echo: hello " + i);
                }
                assertThat(server.tracker().active()).isEqualTo(20);
            } finally {
                for (LineClient client : clients) {
                    client.close();
                }
            }

            until("every connection closed", WAIT, () -> server.tracker().active() == 0);
            assertThat(server.tracker().opened()).isEqualTo(20);
            assertThat(server.tracker().closed()).isEqualTo(20);
            assertThat(server.tracker().closedFor(CloseReason.PEER_CLOSED)).isEqualTo(20);
            assertThat(server.tracker().leaks()).isEmpty();
        }
    }

    @Test
    void reportsAgeAndIdleTimeByItsClock() throws Exception {
        ConnectionTracker tracker = new ConnectionTracker(clock);
        try (Socket socket = new Socket()) {
            TrackedConnection connection = tracker.open(socket);
            clock.advance(Duration.ofSeconds(7));
            connection.recordActivity();
            clock.advance(Duration.ofSeconds(3));

            ConnectionSnapshot snapshot = tracker.snapshot().getFirst();
            assertThat(snapshot.age()).isEqualTo(Duration.ofSeconds(10));
            assertThat(snapshot.idle()).isEqualTo(Duration.ofSeconds(3));
        }
    }

    @Test
    void theFirstCloseReasonWinsAndIsCountedOnce() throws Exception {
        ConnectionTracker tracker = new ConnectionTracker(clock);
        Socket socket = new Socket();
        TrackedConnection connection = tracker.open(socket);

        tracker.close(connection, CloseReason.WRITE_TIMEOUT);
        tracker.close(connection, CloseReason.PEER_CLOSED);

        assertThat(socket.isClosed()).isTrue();
        assertThat(connection.closeReason()).isEqualTo(CloseReason.WRITE_TIMEOUT);
        assertThat(tracker.closed()).isEqualTo(1);
        assertThat(tracker.closedFor(CloseReason.PEER_CLOSED)).isZero();
        assertThat(tracker.recentlyClosed()).extracting(ClosedConnection::reason).containsExactly(CloseReason.WRITE_TIMEOUT);
    }

    @Test
    void theNaiveServerLeaksEveryConnectionItServed() throws Exception {
        try (NaiveForgetfulServer server = new NaiveForgetfulServer(
                new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), new LineEchoHandler(), clock)) {
            for (int i = 0; i < 3; i++) {
                try (LineClient client = LineClient.connect(server.localAddress(), WAIT)) {
                    assertThat(client.request("hi")).isEqualTo("echo: hi");
                }
            }

            until("three handlers finished", WAIT, () -> server.tracker().leaks().size() == 3);
            assertThat(server.tracker().active()).isEqualTo(3);
            assertThat(server.tracker().closed()).isZero();
        }
    }
}
