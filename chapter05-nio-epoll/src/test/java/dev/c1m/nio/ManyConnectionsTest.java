package dev.c1m.nio;

import dev.c1m.echo.EchoProtocol;
import dev.c1m.echo.testing.LiveThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ManyConnectionsTest {

    private static final int CONNECTIONS = 5_000; // 10,000 descriptors in this JVM: both ends of each

    @Test
    @Timeout(60)
    void oneReactorThreadServesFiveThousandConcurrentConnectionsWithoutStartingThreads() throws IOException {
        try (ReactorServer server = ReactorServer.singleReactor("many", new InetSocketAddress("127.0.0.1", 0),
                LineProtocolHandler.factory(EchoProtocol.DEFAULT_MAX_LINE_BYTES), ReactorSettings.defaults())) {
            int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
            List<Socket> clients = new ArrayList<>(CONNECTIONS);
            try {
                for (int i = 0; i < CONNECTIONS; i++) {
                    Socket socket = new Socket();
                    clients.add(socket);
                    socket.connect(server.localAddress(), 10_000);
                    socket.setSoTimeout(10_000);
                }
                for (int i = 0; i < CONNECTIONS; i++) { // all requests in flight at once
                    clients.get(i).getOutputStream().write(EchoProtocol.lineBytes("n" + i));
                }
                for (int i = 0; i < CONNECTIONS; i++) {
                    byte[] expected = EchoProtocol.replyBytes("n" + i);
                    assertThat(clients.get(i).getInputStream().readNBytes(expected.length)).isEqualTo(expected);
                }

                assertThat(server.connectionCount()).isEqualTo(CONNECTIONS);
                assertThat(LiveThreads.namedLike("many-")).containsExactly("many-0");
                assertThat(ManagementFactory.getThreadMXBean().getThreadCount())
                        .as("live threads in this JVM, before: %d", threadsBefore)
                        .isLessThanOrEqualTo(threadsBefore + 2);
            } finally {
                for (Socket socket : clients) {
                    socket.close();
                }
            }
        }
    }
}
