package dev.c1m.lifecycle;

import dev.c1m.echo.LineClient;
import dev.c1m.echo.LineEchoHandler;
import dev.c1m.echo.TcpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Optional;

import static dev.c1m.echo.testing.Await.until;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The CLOSE_WAIT leak seen in the kernel's table, and its absence in the fixed server. */
@Timeout(20)
class NaiveForgetfulServerTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @Test
    void aHandlerThatForgetsToCloseLeavesItsSocketInCloseWait() throws Exception {
        assumeTrue(SocketTable.isSupported(), "reading TCP states needs Linux /proc/net/tcp");
        try (NaiveForgetfulServer server = new NaiveForgetfulServer(
                new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), new LineEchoHandler(), new ManualClock())) {
            int serverPort = server.localAddress().getPort();
            int clientPort;
            try (LineClient client = LineClient.connect(server.localAddress(), WAIT)) {
                clientPort = client.socket().getLocalPort();
                assertThat(client.request("hi")).isEqualTo("echo: hi");
            }

            until("the handler returned", WAIT, () -> server.tracker().leaks().size() == 1);
            until("server side in CLOSE_WAIT", WAIT,
                    () -> SocketTable.stateOf(serverPort, clientPort).equals(Optional.of(TcpState.CLOSE_WAIT)));
            until("client side in FIN_WAIT2 (its FIN acknowledged)", WAIT,
                    () -> SocketTable.stateOf(clientPort, serverPort).equals(Optional.of(TcpState.FIN_WAIT2)));
        }
    }

    @Test
    void theLifecycleServerClosesSoTheClientEndsInTimeWaitAndTheServerKeepsNothing() throws Exception {
        assumeTrue(SocketTable.isSupported(), "reading TCP states needs Linux /proc/net/tcp");
        try (LifecycleServer server = LifecycleServer.start("closing",
                TcpServer.bind(new InetSocketAddress("127.0.0.1", 0), 0), ServerLimits::defaults, new ManualClock(),
                Duration.ofMillis(20))) {
            int serverPort = server.localAddress().getPort();
            int clientPort;
            try (LineClient client = LineClient.connect(server.localAddress(), WAIT)) {
                clientPort = client.socket().getLocalPort();
                assertThat(client.request("hi")).isEqualTo("echo: hi");
            }

            until("server closed its side", WAIT, () -> server.tracker().active() == 0);
            until("server side gone", WAIT, () -> SocketTable.stateOf(serverPort, clientPort).isEmpty());
            until("client side in TIME_WAIT", WAIT,
                    () -> SocketTable.stateOf(clientPort, serverPort).equals(Optional.of(TcpState.TIME_WAIT)));
            assertThat(server.tracker().leaks()).isEmpty();
        }
    }
}
