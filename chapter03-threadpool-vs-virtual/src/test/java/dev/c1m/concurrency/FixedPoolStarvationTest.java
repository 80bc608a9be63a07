package dev.c1m.concurrency;

import dev.c1m.echo.AcceptBackoff;
import dev.c1m.echo.LineClient;
import dev.c1m.echo.LineEchoHandler;
import dev.c1m.echo.TcpServer;
import dev.c1m.echo.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.ThreadPoolExecutor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The fixed pool's failure mode for long-lived connections: one thread per connection, held. */
@Timeout(30)
class FixedPoolStarvationTest {

    private static final int POOL_THREADS = 2;
    private static final int QUEUE = 1;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private ThreadPoolExecutor pool;
    private TcpServer server;

    @BeforeEach
    void startServer() throws IOException {
        pool = ExecutionModel.fixedPool(POOL_THREADS, QUEUE);
        server = TcpServer.start("starvation-test", TcpServer.bind(new InetSocketAddress("127.0.0.1", 0), 0),
                new LineEchoHandler(), pool, AcceptBackoff.standard());
    }

    @AfterEach
    void closeServer() {
        server.close();
    }

    @Test
    void connectionBeyondThePoolGetsNoServiceUntilAnotherLeaves() throws Exception {
        try (LineClient first = LineClient.connect(server.localAddress(), TIMEOUT);
             LineClient second = LineClient.connect(server.localAddress(), TIMEOUT);
             LineClient third = LineClient.connect(server.localAddress(), TIMEOUT)) {
            assertThat(first.request("one")).isEqualTo("echo: one");
            assertThat(second.request("two")).isEqualTo("echo: two");

            third.send("three");
            Await.until("the third connection waits in the pool's queue", TIMEOUT,
                    () -> pool.getQueue().size() == 1 && pool.getActiveCount() == POOL_THREADS);
            third.socket().setSoTimeout(200);
            assertThatThrownBy(third::readLine).isInstanceOf(SocketTimeoutException.class);
            assertThat(pool.getQueue()).hasSize(1);

            first.close();
            third.socket().setSoTimeout((int) TIMEOUT.toMillis());
            assertThat(third.readLine()).isEqualTo("echo: three");
            assertThat(second.request("still here")).isEqualTo("echo: still here");
        }
    }

    @Test
    void refusesConnectionsBeyondThreadsAndQueueByClosingThem() throws Exception {
        try (LineClient first = LineClient.connect(server.localAddress(), TIMEOUT);
             LineClient second = LineClient.connect(server.localAddress(), TIMEOUT)) {
            assertThat(first.request("one")).isEqualTo("echo: one");
            assertThat(second.request("two")).isEqualTo("echo: two");
            try (LineClient queued = LineClient.connect(server.localAddress(), TIMEOUT)) {
                Await.until("one connection queued", TIMEOUT, () -> pool.getQueue().size() == QUEUE);
                try (LineClient refused = LineClient.connect(server.localAddress(), TIMEOUT)) {
                    // The kernel completed the handshake; the server then closes what the pool refused.
                    assertThat(readLineOrReset(refused)).isNull();
                }
                assertThat(server.acceptedConnections()).isEqualTo(4);
                Await.until("the refused connection released", TIMEOUT, () -> server.activeConnections() == 3);
            }
            assertThat(first.request("after")).isEqualTo("echo: after");
        }
    }

    /** The next line, or null if the server closed (a FIN or, if our bytes were unread, a reset). */
    private static String readLineOrReset(LineClient client) throws IOException {
        try {
            return client.readLine();
        } catch (java.net.SocketException reset) {
            return null;
        }
    }
}
