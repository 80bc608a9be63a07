package dev.c1m.lifecycle;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A listener that never accepts and has a backlog of 1: once its accept queue is full, Linux
 * drops further SYNs (it does not refuse them), so a connect can only end by its timeout.
 */
@Timeout(20)
class ConnectTimeoutTest {

    private static final Duration CONNECT_TIMEOUT = Duration.ofMillis(200);
    private static final int MAX_ATTEMPTS = 20;

    @Test
    void connectGivesUpWithinItsTimeoutWhenTheAcceptQueueIsFull() throws Exception {
        assumeTrue(SocketTable.isSupported(), "a full accept queue drops SYNs on Linux; other systems may refuse");
        List<Socket> queued = new ArrayList<>();
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            long elapsedNanos = -1;
            for (int attempt = 0; attempt < MAX_ATTEMPTS && elapsedNanos < 0; attempt++) {
                Socket socket = new Socket();
                queued.add(socket);
                long start = System.nanoTime();
                try {
                    socket.connect(listener.getLocalSocketAddress(), Math.toIntExact(CONNECT_TIMEOUT.toMillis()));
                } catch (SocketTimeoutException timedOut) {
                    elapsedNanos = System.nanoTime() - start;
                }
            }

            assertThat(elapsedNanos).as("some connect timed out once the queue was full").isPositive();
            assertThat(Duration.ofNanos(elapsedNanos))
                    .isGreaterThanOrEqualTo(CONNECT_TIMEOUT.minusMillis(1))
                    .isLessThan(CONNECT_TIMEOUT.plusSeconds(2));
        } finally {
            for (Socket socket : queued) {
                closeQuietly(socket);
            }
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // the test is over
        }
    }
}
