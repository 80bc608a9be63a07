package dev.c1m.nio;

import dev.c1m.echo.LineClient;
import dev.c1m.echo.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** The transitions of {@link Connection.State}, legal and illegal, seen from a handler. */
@Timeout(30)
class ConnectionStateTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** On its first input: writes, asks to close after the flush, then tries to write and close again. */
    private static final class ClosingHandler implements Handler {
        final List<String> events;

        ClosingHandler(List<String> events) {
            this.events = events;
        }

        @Override
        public void onInput(Connection connection, ByteBuffer input) {
            input.position(input.limit());
            events.add("input in " + connection.state());
            connection.write("first\n".getBytes(StandardCharsets.UTF_8));
            connection.closeAfterFlush();
            events.add("after closeAfterFlush: " + connection.state());
            connection.write("dropped\n".getBytes(StandardCharsets.UTF_8)); // illegal in CLOSING: dropped
            connection.closeAfterFlush(); // a second request changes nothing
        }

        @Override
        public void onClosed(Connection connection) {
            events.add("closed in " + connection.state());
        }
    }

    @Test
    void goesFromOpenThroughClosingToClosedDroppingWritesAfterCloseAfterFlush() throws IOException, InterruptedException {
        List<String> events = new CopyOnWriteArrayList<>();
        try (ReactorServer server = ReactorServer.singleReactor("states", new InetSocketAddress("127.0.0.1", 0),
                connection -> new ClosingHandler(events), ReactorSettings.defaults());
             LineClient client = LineClient.connect(server.localAddress(), TIMEOUT)) {

            client.send("go");

            assertThat(client.readLine()).isEqualTo("first");
            assertThat(client.readLine()).as("FIN after the flushed output, nothing written after it").isNull();
            client.socket().shutdownOutput(); // the peer's FIN ends the lingering close
            Await.until("the server closed the connection", TIMEOUT, () -> server.connectionCount() == 0);
            assertThat(events).containsExactly("input in OPEN", "after closeAfterFlush: CLOSING", "closed in CLOSED");
        }
    }

    @Test
    void closesALingeringConnectionWhosePeerKeepsSendingInsteadOfClosing() throws IOException, InterruptedException {
        try (ReactorServer server = ReactorServer.singleReactor("lingering", new InetSocketAddress("127.0.0.1", 0),
                LineProtocolHandler.factory(16), ReactorSettings.defaults());
             LineClient client = LineClient.connect(server.localAddress(), TIMEOUT)) {
            client.send("x".repeat(17)); // over the limit: the server answers, sends FIN, and lingers in CLOSING
            assertThat(client.readLine()).isEqualTo("error: line too long");
            assertThat(client.readLine()).isNull();

            byte[] chunk = new byte[16 * 1024];
            for (int i = 0; i < 5 && server.connectionCount() > 0; i++) { // more than the 64 KiB it discards
                try {
                    client.sendRaw(chunk);
                } catch (IOException reset) {
                    break; // the server already closed and answered with RST
                }
            }

            Await.until("the server gave up lingering and closed", TIMEOUT, () -> server.connectionCount() == 0);
        }
    }
}
