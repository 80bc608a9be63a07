package dev.c1m.limit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.c1m.echo.LineClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class RefusalsTest {

    @Test
    void aRefusedClientReadsTheBusyLineBeforeTheClose() throws IOException {
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress("127.0.0.1", 0));
            try (LineClient client = LineClient.connect((InetSocketAddress) listener.getLocalAddress(), Duration.ofSeconds(10))) {
                try (SocketChannel refused = listener.accept()) {
                    assertThat(Refusals.sendBestEffort(refused, Refusals.SERVER_BUSY)).isTrue();
                }
                assertThat(client.readLine()).isEqualTo("error: server busy");
                assertThat(client.readLine()).as("then end of stream").isNull();
            }
        }
    }

    @Test
    void sendingToAClosedChannelReportsFailureInsteadOfThrowing() throws IOException {
        SocketChannel closed = SocketChannel.open();
        closed.close();
        assertThat(Refusals.sendBestEffort(closed, Refusals.SERVER_BUSY)).isFalse();
    }

    @Test
    void repliesAreSingleAsciiLines() {
        for (byte[] reply : new byte[][] {Refusals.SERVER_BUSY, Refusals.RATE_LIMITED, Refusals.OVERLOADED,
                Refusals.DOWNSTREAM_UNAVAILABLE}) {
            String text = new String(reply, StandardCharsets.US_ASCII);
            assertThat(text).startsWith("error: ").endsWith("\n");
            assertThat(text.indexOf('\n')).isEqualTo(text.length() - 1);
        }
    }

    @Test
    void aClientRecognisesEachRefusalLineAndNothingElse() {
        for (byte[] reply : new byte[][] {Refusals.SERVER_BUSY, Refusals.RATE_LIMITED, Refusals.OVERLOADED,
                Refusals.DOWNSTREAM_UNAVAILABLE}) {
            assertThat(Refusals.isRefusal(reply, reply.length - 1)).as(new String(reply, StandardCharsets.US_ASCII)).isTrue();
        }
        for (String other : new String[] {"error: line too long", "error: server", "error: server busy!", "PONG 1 2", ""}) {
            byte[] line = (other + "\nrest").getBytes(StandardCharsets.US_ASCII);
            assertThat(Refusals.isRefusal(line, other.length())).as(other).isFalse();
        }
    }
}
