package dev.c1m.nio;

import dev.c1m.echo.EchoProtocol;
import dev.c1m.echo.LineClient;
import dev.c1m.echo.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A reactor with a batch window pauses after a light turn, and still answers everything. */
@Timeout(30)
class BatchWindowTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Duration WINDOW = Duration.ofMillis(50);

    private static ReactorServer serverWithWindow(Duration window) throws IOException {
        return ReactorServer.singleReactor("batch-window", new InetSocketAddress("127.0.0.1", 0),
                LineProtocolHandler.factory(EchoProtocol.DEFAULT_MAX_LINE_BYTES),
                ReactorSettings.defaults().withBatchWindow(window));
    }

    @Test
    void sequentialRequestsEachWaitOutTheWindowOfTheTurnBefore() throws IOException {
        int requests = 10;
        try (ReactorServer server = serverWithWindow(WINDOW);
             LineClient client = LineClient.connect(server.localAddress(), TIMEOUT)) {
            client.request("warm-up");
            long start = System.nanoTime();
            for (int i = 0; i < requests; i++) {
                assertThat(client.request("r" + i)).isEqualTo("echo: r" + i);
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            // Each request lands while the reactor pauses after answering the one before.
            assertThat(took).isGreaterThanOrEqualTo(WINDOW.multipliedBy(requests - 1));
        }
    }

    @Test
    void linesFromManyConnectionsArrivingDuringAPauseAreAllAnswered() throws IOException {
        try (ReactorServer server = serverWithWindow(WINDOW)) {
            List<LineClient> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 200; i++) {
                    clients.add(LineClient.connect(server.localAddress(), TIMEOUT));
                }
                for (int i = 0; i < clients.size(); i++) {
                    clients.get(i).sendRaw(("c" + i + "\n").getBytes(StandardCharsets.US_ASCII));
                }
                for (int i = 0; i < clients.size(); i++) {
                    assertThat(clients.get(i).readLine()).isEqualTo("echo: c" + i);
                }
            } finally {
                for (LineClient client : clients) {
                    client.close();
                }
            }
        }
    }

    @Test
    void oneWakeUpHandlesTheLinesThatArrivedDuringAPause() throws Exception {
        int lines = 200;
        try (ReactorServer server = serverWithWindow(WINDOW)) {
            Reactor reactor = server.workers().getFirst();
            List<LineClient> clients = new ArrayList<>();
            try {
                for (int i = 0; i < lines; i++) {
                    clients.add(LineClient.connect(server.localAddress(), TIMEOUT));
                }
                Await.until("every connection is accepted", TIMEOUT, () -> reactor.connectionCount() == lines);
                long wakeUpsBefore = reactor.wakeUps();
                long keysBefore = reactor.readyKeys();
                long start = System.nanoTime();
                for (LineClient client : clients) {
                    client.sendRaw("x\n".getBytes(StandardCharsets.US_ASCII));
                }
                Duration sending = Duration.ofNanos(System.nanoTime() - start);
                for (LineClient client : clients) {
                    assertThat(client.readLine()).isEqualTo("echo: x");
                }
                Await.until("the last turn is counted", TIMEOUT, () -> reactor.readyKeys() - keysBefore >= lines);

                // After the first line's turn, each wake-up follows a pause of the window (or a
                // turn too full to pause): the lines of many connections share a wake-up.
                long bound = 1 + sending.toNanos() / WINDOW.toNanos() + 1 + lines / Reactor.FULL_BATCH_KEYS;
                assertThat(reactor.wakeUps() - wakeUpsBefore).isBetween(1L, bound);
                assertThat(reactor.readyKeys() - keysBefore).isEqualTo(lines);
            } finally {
                for (LineClient client : clients) {
                    client.close();
                }
            }
        }
    }

    @Test
    void closeDoesNotWaitForAPauseToEnd() throws Exception {
        ReactorServer server = serverWithWindow(Duration.ofSeconds(20));
        Reactor reactor = server.workers().getFirst();
        try (LineClient client = LineClient.connect(server.localAddress(), TIMEOUT)) {
            // The turn that accepted this connection was light: the reactor now pauses for 20 s.
            Await.until("the connection is accepted", TIMEOUT, () -> reactor.connectionCount() == 1);
            long start = System.nanoTime();
            server.close();

            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        }
    }

    @Test
    void aNegativeWindowIsRefused() {
        assertThatThrownBy(() -> ReactorSettings.defaults().withBatchWindow(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("batchWindow");
    }
}
