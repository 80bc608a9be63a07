package dev.c1m.lifecycle;

import dev.c1m.echo.EchoProtocol;
import dev.c1m.echo.TcpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

import static dev.c1m.echo.testing.Await.until;
import static org.assertj.core.api.Assertions.assertThat;

@Timeout(20)
class HalfCloseTest {

    private LifecycleServer server;

    @BeforeEach
    void start() throws Exception {
        server = LifecycleServer.start("halfclose", TcpServer.bind(new InetSocketAddress("127.0.0.1", 0), 0),
                ServerLimits::defaults, new ManualClock(), Duration.ofMillis(20));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void everyReplyArrivesAfterTheClientShutsDownItsOutput() throws Exception {
        List<String> requests = IntStream.range(0, 20_000).mapToObj(i -> "request " + i).toList();

        List<String> replies = HalfCloseClient.exchange(server.localAddress(), requests, Duration.ofSeconds(10));

        assertThat(replies).containsExactlyElementsOf(requests.stream().map(EchoProtocol::reply).toList());
        until("server recorded the peer's close", Duration.ofSeconds(5),
                () -> server.tracker().closedFor(CloseReason.PEER_CLOSED) == 1);
    }
}
