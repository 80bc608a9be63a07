package dev.c1m.lifecycle;

import dev.c1m.echo.LineClient;
import dev.c1m.echo.TcpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;

import static dev.c1m.echo.testing.Await.until;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(20)
class ReadTimeoutTest {

    private static final Duration READ_TIMEOUT = Duration.ofMillis(50);

    private LifecycleServer server;

    @BeforeEach
    void start() throws Exception {
        server = LifecycleServer.start("readtimeout", TcpServer.bind(new InetSocketAddress("127.0.0.1", 0), 0),
                ServerLimits::defaults, new ManualClock(), Duration.ofMillis(20));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void aReadTimeoutFiresAndTheConnectionStaysUsable() throws Exception {
        try (LineClient client = LineClient.connect(server.localAddress(), Duration.ofSeconds(5))) {
            client.socket().setSoTimeout(Math.toIntExact(READ_TIMEOUT.toMillis()));

            long start = System.nanoTime();
            assertThatThrownBy(client::readLine).isInstanceOf(SocketTimeoutException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(READ_TIMEOUT.minusMillis(1));

            client.socket().setSoTimeout(5_000);
            assertThat(client.request("still here")).isEqualTo("echo: still here");
        }
    }

    @Test
    void theServersTickTimeoutsInTheMiddleOfALineLoseNoBytes() throws Exception {
        try (LineClient client = LineClient.connect(server.localAddress(), Duration.ofSeconds(5))) {
            client.socket().setSoTimeout(Math.toIntExact(READ_TIMEOUT.toMillis()));
            client.sendRaw("half of a li".getBytes());

            until("the server tracks the connection", Duration.ofSeconds(5), () -> server.tracker().active() == 1);
            long wakeupsWhenSent = wakeups();
            until("the server's read timed out twice since, holding the partial line", Duration.ofSeconds(5),
                    () -> wakeups() >= wakeupsWhenSent + 2);
            assertThatThrownBy(client::readLine).isInstanceOf(SocketTimeoutException.class);
            client.send("ne");

            client.socket().setSoTimeout(5_000);
            assertThat(client.readLine()).isEqualTo("echo: half of a line");
        }
    }

    private long wakeups() {
        return server.tracker().snapshot().getFirst().wakeups();
    }
}
