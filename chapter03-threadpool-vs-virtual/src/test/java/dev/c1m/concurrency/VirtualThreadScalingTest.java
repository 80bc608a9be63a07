package dev.c1m.concurrency;

import dev.c1m.echo.AcceptBackoff;
import dev.c1m.echo.EchoProtocol;
import dev.c1m.echo.LineEchoHandler;
import dev.c1m.echo.TcpServer;
import dev.c1m.echo.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The virtual-thread server holds 5,000 connections (10,000 descriptors in this JVM, both ends)
 * with a platform-thread count that does not grow with them. The clients are plain sockets
 * driven from the test thread, so they add no threads of their own.
 */
@Timeout(60)
class VirtualThreadScalingTest {

    private static final int CONNECTIONS = 5_000;
    private static final int CHECKPOINT = 1_000;

    private final List<Socket> clients = new ArrayList<>();
    private TcpServer server;

    @AfterEach
    void closeAll() throws IOException {
        for (Socket client : clients) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void holds5000ConnectionsWithAPlatformThreadCountThatDoesNotGrowWithThem() throws Exception {
        server = TcpServer.start("scaling-test", TcpServer.bind(new InetSocketAddress("127.0.0.1", 0), 1024),
                new LineEchoHandler(), ExecutionModel.VIRTUAL_THREAD.executor(0, 1), AcceptBackoff.standard());
        openAndEcho(CHECKPOINT);
        int platformThreadsAt1000 = platformThreads();

        openAndEcho(CONNECTIONS - CHECKPOINT);
        int platformThreadsAt5000 = platformThreads();

        assertThat(server.activeConnections()).isEqualTo(CONNECTIONS);
        // 4,000 more connections; the carriers and pollers are a handful of threads either way.
        assertThat(platformThreadsAt5000 - platformThreadsAt1000).isLessThanOrEqualTo(4);
        assertThat(platformThreadsAt5000).isLessThan(100);
        echoOnEvery();
    }

    private void openAndEcho(int count) throws IOException, InterruptedException {
        int from = clients.size();
        for (int i = 0; i < count; i++) {
            Socket socket = new Socket();
            clients.add(socket);
            socket.connect(server.localAddress(), 10_000);
            socket.setSoTimeout(10_000);
        }
        Await.until("all accepted", Duration.ofSeconds(20), () -> server.activeConnections() == clients.size());
        for (int i = from; i < clients.size(); i++) {
            assertEcho(clients.get(i), "hello " + i);
        }
    }

    private void echoOnEvery() throws IOException {
        for (int i = 0; i < clients.size(); i++) {
            assertEcho(clients.get(i), "again " + i);
        }
    }

    private static void assertEcho(Socket socket, String line) throws IOException {
        socket.getOutputStream().write(EchoProtocol.lineBytes(line));
        byte[] expected = EchoProtocol.replyBytes(line);
        byte[] got = socket.getInputStream().readNBytes(expected.length);
        assertThat(new String(got)).isEqualTo(new String(expected));
        assertThat(Arrays.equals(got, expected)).isTrue();
    }

    private static int platformThreads() {
        return ManagementFactory.getThreadMXBean().getThreadCount();
    }
}
