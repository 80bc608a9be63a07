package dev.c1m.lifecycle;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;

import static dev.c1m.echo.testing.Await.until;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

@Timeout(20)
class AbortiveCloseTest {

    @Test
    void thePeerOfAResetSocketFailsToReadWithConnectionReset() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             Socket client = new Socket(listener.getInetAddress(), listener.getLocalPort());
             Socket server = listener.accept()) {
            server.setSoTimeout(5_000);

            AbortiveClose.reset(client);

            InputStream in = server.getInputStream();
            assertThatThrownBy(in::read).isInstanceOf(SocketException.class).hasMessageContaining("reset");
        }
    }

    @Test
    void theResettingSideKeepsNoTimeWait() throws Exception {
        assumeTrue(SocketTable.isSupported(), "reading TCP states needs Linux /proc/net/tcp");
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             Socket client = new Socket(listener.getInetAddress(), listener.getLocalPort());
             Socket server = listener.accept()) {
            int clientPort = client.getLocalPort();
            int serverPort = server.getLocalPort();
            assertThat(SocketTable.stateOf(clientPort, serverPort)).contains(TcpState.ESTABLISHED);

            AbortiveClose.reset(client);

            // close() sends the RST and frees the socket before it returns: no TIME_WAIT, ever.
            assertThat(SocketTable.between(clientPort, serverPort)).isEmpty();
            until("the reset side's peer is gone too", Duration.ofSeconds(5),
                    () -> SocketTable.between(serverPort, clientPort).isEmpty());
        }
    }

    @Test
    void aRegisteredNonBlockingChannelIsResetAtTheSelectorsNextFlushNotClosedInOrder() throws Exception {
        assumeTrue(SocketTable.isSupported(), "reading TCP states needs Linux /proc/net/tcp");
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             SocketChannel client = SocketChannel.open(listener.getLocalSocketAddress());
             Socket server = listener.accept();
             Selector selector = Selector.open()) {
            server.setSoTimeout(5_000);
            client.configureBlocking(false);
            client.register(selector, SelectionKey.OP_READ);
            int clientPort = client.socket().getLocalPort();
            int serverPort = server.getLocalPort();

            AbortiveClose.reset(client);
            selector.selectNow(); // flushes the cancelled key: the deferred close happens here

            // an orderly close would have let the peer read EOF (-1) and left the client in TIME_WAIT
            InputStream in = server.getInputStream();
            assertThatThrownBy(in::read).isInstanceOf(SocketException.class).hasMessageContaining("reset");
            assertThat(SocketTable.between(clientPort, serverPort)).isEmpty();
        }
    }
}
