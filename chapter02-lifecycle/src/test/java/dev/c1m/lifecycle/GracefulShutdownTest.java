package dev.c1m.lifecycle;

import dev.c1m.echo.EchoProtocol;
import dev.c1m.echo.LineClient;
import dev.c1m.echo.TcpServer;
import dev.c1m.echo.testing.LiveThreads;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.c1m.echo.testing.Await.until;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(30)
class GracefulShutdownTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration LONG_GRACE = Duration.ofSeconds(10);

    private LifecycleServer server;
    private final List<LineClient> clients = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = LifecycleServer.start("graceful", TcpServer.bind(new InetSocketAddress("127.0.0.1", 0), 0),
                ServerLimits::defaults, new ManualClock(), Duration.ofMillis(20));
    }

    @AfterEach
    void stop() throws IOException {
        for (LineClient client : clients) {
            client.close();
        }
        server.close();
    }

    @Test
    void everyRequestSentBeforeShutdownBeganIsAnswered() throws Exception {
        int connections = 20;
        int linesEach = 2_000;
        for (int c = 0; c < connections; c++) {
            LineClient client = connect();
            StringBuilder burst = new StringBuilder();
            for (int i = 0; i < linesEach; i++) {
                burst.append("client ").append(c).append(" line ").append(i).append('\n');
            }
            client.sendRaw(burst.toString().getBytes(StandardCharsets.UTF_8));
        }
        // connect() returns once the kernel has queued a connection, before the server accepts it
        until("the server has accepted every connection", WAIT, () -> server.tracker().active() == connections);

        ShutdownReport report = server.shutdown(LONG_GRACE);

        assertThat(report.openAtStart()).isEqualTo(connections);
        assertThat(report.forceClosed()).isZero();
        for (int c = 0; c < connections; c++) {
            LineClient client = clients.get(c);
            for (int i = 0; i < linesEach; i++) {
                assertThat(client.readLine()).isEqualTo(EchoProtocol.reply("client " + c + " line " + i));
            }
            assertThat(client.readLine()).as("then the server closes").isNull();
        }
        assertThat(server.tracker().closedFor(CloseReason.DRAINED)).isEqualTo(connections);
    }

    @Test
    void aRequestInProgressIsFinishedDuringTheGracePeriod() throws Exception {
        LineClient client = connect();
        client.sendRaw("hel".getBytes(StandardCharsets.UTF_8));
        until("the partial line reached the server", WAIT, () -> server.tracker().active() == 1
                && server.tracker().snapshot().getFirst().wakeups() > 0);

        CompletableFuture<ShutdownReport> shutdown = CompletableFuture.supplyAsync(() -> server.shutdown(LONG_GRACE));
        until("the server is draining", WAIT, () -> server.state() == LifecycleServer.State.DRAINING);
        client.send("lo");

        assertThat(client.readLine()).isEqualTo("echo: hello");
        assertThat(client.readLine()).isNull();
        ShutdownReport report = shutdown.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(report.forceClosed()).isZero();
        assertThat(server.state()).isEqualTo(LifecycleServer.State.STOPPED);
    }

    @Test
    void idleConnectionsAreClosedAtOnceWithoutWaitingForTheGracePeriod() throws Exception {
        LineClient client = connect();
        assertThat(client.request("one")).isEqualTo("echo: one");

        ShutdownReport report = server.shutdown(LONG_GRACE);

        assertThat(report.forceClosed()).isZero();
        assertThat(report.took()).isLessThan(LONG_GRACE.dividedBy(2));
        assertThat(client.readLine()).isNull();
    }

    @Test
    void connectionsStillBusyAfterTheGracePeriodAreForceClosed() throws Exception {
        Duration grace = Duration.ofMillis(100);
        LineClient stalled = connect();
        stalled.sendRaw("a line that never ends".getBytes(StandardCharsets.UTF_8));
        until("the server holds the partial line", WAIT, () -> server.tracker().active() == 1
                && server.tracker().snapshot().getFirst().wakeups() > 0);

        ShutdownReport report = server.shutdown(grace);

        assertThat(report.forceClosed()).isEqualTo(1);
        assertThat(report.took()).isGreaterThanOrEqualTo(grace);
        assertThat(server.tracker().closedFor(CloseReason.SHUTDOWN_FORCED)).isEqualTo(1);
        assertThat(readUntilClosed(stalled)).as("no reply to the unfinished line").isEmpty();
        // every handler has returned; an executor's thread still takes a moment to die after its task
        until("the connection threads exit", WAIT, () -> LiveThreads.namedLike("graceful-").isEmpty());
    }

    @Test
    void newConnectionsAreRefusedOnceShutdownBegins() throws Exception {
        InetSocketAddress address = server.localAddress();
        server.shutdown(LONG_GRACE);

        assertThatThrownBy(() -> LineClient.connect(address, WAIT).close()).isInstanceOf(ConnectException.class);
    }

    @Test
    void shutdownMovesFromRunningThroughDrainingToStoppedAndOnlyOnce() throws Exception {
        LineClient client = connect();
        client.sendRaw("unfinished".getBytes(StandardCharsets.UTF_8));
        until("the server holds the partial line", WAIT, () -> server.tracker().active() == 1
                && server.tracker().snapshot().getFirst().wakeups() > 0);
        assertThat(server.state()).isEqualTo(LifecycleServer.State.RUNNING);

        CompletableFuture<ShutdownReport> shutdown = CompletableFuture.supplyAsync(() -> server.shutdown(LONG_GRACE));
        until("draining", WAIT, () -> server.state() == LifecycleServer.State.DRAINING);
        assertThatThrownBy(() -> server.shutdown(LONG_GRACE)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("DRAINING");

        client.send("");
        shutdown.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(server.state()).isEqualTo(LifecycleServer.State.STOPPED);
        assertThatThrownBy(() -> server.shutdown(LONG_GRACE)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("STOPPED");
        server.close();
        assertThat(server.state()).isEqualTo(LifecycleServer.State.STOPPED);
    }

    private LineClient connect() throws IOException {
        LineClient client = LineClient.connect(server.localAddress(), WAIT);
        clients.add(client);
        return client;
    }

    /** Whatever arrives until end of stream or a reset. */
    private static String readUntilClosed(LineClient client) throws IOException {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        try {
            client.socket().getInputStream().transferTo(received);
        } catch (SocketException reset) {
            // a reset is a fine way for a forced close to look
        }
        return received.toString(StandardCharsets.UTF_8);
    }
}
