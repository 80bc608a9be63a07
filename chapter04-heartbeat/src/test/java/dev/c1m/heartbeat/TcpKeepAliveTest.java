package dev.c1m.heartbeat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

@Timeout(10)
class TcpKeepAliveTest {

    @Test
    void appliesKeepaliveTimingAndReadsItBackFromTheKernel() throws IOException {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket socket = new Socket()) {
            assumeTrue(TcpKeepAlive.isTunable(socket), "this platform cannot tune keepalive per socket");
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort()), 5_000);
            TcpKeepAlive.Settings settings = new TcpKeepAlive.Settings(Duration.ofSeconds(30), Duration.ofSeconds(5), 4);

            TcpKeepAlive.enable(socket, settings);

            assertThat(TcpKeepAlive.read(socket)).contains(settings);
        }
    }

    @Test
    void reportsNothingWhileKeepaliveIsOff() throws IOException {
        try (Socket socket = new Socket()) {
            assertThat(TcpKeepAlive.read(socket)).isEmpty();
        }
    }

    @Test
    void worstCaseDetectionIsIdlePlusEveryProbe() {
        TcpKeepAlive.Settings settings = new TcpKeepAlive.Settings(Duration.ofSeconds(30), Duration.ofSeconds(5), 4);

        assertThat(settings.worstCaseDetection()).isEqualTo(Duration.ofSeconds(50));
    }

    @Test
    void rejectsSubSecondTimingTheKernelCannotExpress() {
        assertThatThrownBy(() -> new TcpKeepAlive.Settings(Duration.ofMillis(500), Duration.ofSeconds(1), 3))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
