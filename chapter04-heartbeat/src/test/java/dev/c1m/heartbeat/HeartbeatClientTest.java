package dev.c1m.heartbeat;

import dev.c1m.echo.EchoProtocol;
import dev.c1m.echo.testing.Await;
import dev.c1m.echo.testing.LiveThreads;
import dev.c1m.echo.testing.ReservedPort;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(30)
class HeartbeatClientTest {

    private static final Duration INTERVAL = Duration.ofMillis(100);
    private static final Duration REPLY_TIMEOUT = Duration.ofMillis(100);
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** Scheduling noise on a busy 2-core machine, on top of the bounds the algorithm gives. */
    private static final Duration SLACK = Duration.ofSeconds(5);
    private static final HeartbeatSettings FAST = HeartbeatSettings.defaults()
            .withInterval(INTERVAL)
            .withTimeouts(REPLY_TIMEOUT, Duration.ofMillis(50), REPLY_TIMEOUT, Duration.ofSeconds(30))
            .withBackoff(Duration.ofMillis(20), Duration.ofMillis(200), Integer.MAX_VALUE);

    private final Events events = new Events();
    private HeartbeatClient client;
    private HeartbeatServer server;
    private ServerSocket silentPeer;
    /** Stays this test's while its server is stopped, so the restart binds it again and reconnects are refused meanwhile. */
    private ReservedPort port;

    /** Every transition the client reports, with the time it happened. */
    private static final class Events implements HeartbeatListener {
        record Event(String what, String reason, long atNanos) {
        }

        final List<Event> all = new CopyOnWriteArrayList<>();

        @Override
        public void onStateChange(ClientState from, ClientState to, String reason) {
            all.add(new Event(from + "->" + to, reason, System.nanoTime()));
        }

        @Override
        public void onTransition(PeerState from, PeerState to, String reason) {
            all.add(new Event(from + "->" + to, reason, System.nanoTime()));
        }

        Event first(String what) {
            return all.stream().filter(e -> e.what().equals(what)).findFirst().orElse(null);
        }

        long count(String what) {
            return all.stream().filter(e -> e.what().equals(what)).count();
        }

        boolean has(String what) {
            return first(what) != null;
        }
    }

    @BeforeEach
    void reservePort() throws IOException {
        port = ReservedPort.pick();
    }

    @AfterEach
    void closeEverything() throws IOException {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
        if (silentPeer != null) {
            silentPeer.close();
        }
        port.close();
    }

    /** A client of the reserved port. */
    private HeartbeatClient startClient(HeartbeatSettings settings) {
        return HeartbeatClient.start("hb-client-test", port.address(), settings, events, new SplittableRandom(7));
    }

    /** A server on the reserved port. */
    private HeartbeatServer startServer() throws IOException {
        return HeartbeatServer.start("hb-peer", port.listen(), new HeartbeatServer.Settings(Duration.ofSeconds(10),
                Duration.ofMillis(10), 64, null, Duration.ZERO, EchoProtocol.DEFAULT_MAX_LINE_BYTES));
    }

    @Test
    void declaresAPeerThatAcceptsButNeverAnswersSuspectThenDeadWithinItsBound() throws Exception {
        silentPeer = port.listen(); // the kernel completes the handshake; nobody ever reads or answers
        client = startClient(FAST);

        Await.until("the peer is declared DEAD", TIMEOUT, () -> events.has("SUSPECT->DEAD"));

        long connected = events.first("CONNECTING->CONNECTED").atNanos();
        long suspect = events.first("HEALTHY->SUSPECT").atNanos();
        long dead = events.first("SUSPECT->DEAD").atNanos();
        // The first beat is missed one reply timeout after the first PING; the third one two
        // intervals later. Nothing can happen sooner; later only by scheduling noise.
        assertThat(suspect - connected).isGreaterThanOrEqualTo(REPLY_TIMEOUT.toNanos());
        long deadBound = INTERVAL.multipliedBy(2).plus(REPLY_TIMEOUT).toNanos();
        assertThat(dead - connected).isBetween(deadBound, deadBound + SLACK.toNanos());
        assertThat(events.first("SUSPECT->DEAD").reason()).contains("3 missed beats");
        Await.until("the dead connection is dropped", TIMEOUT, () -> events.has("CONNECTED->DISCONNECTED"));
    }

    @Test
    void measuresTheRoundTripToALiveServerAndStaysHealthy() throws Exception {
        server = startServer();
        client = startClient(FAST);

        Await.until("a round trip is measured", TIMEOUT, () -> client.smoothedRttNanos() > 0);

        assertThat(client.state()).isEqualTo(ClientState.CONNECTED);
        assertThat(client.smoothedRttNanos()).isLessThan(REPLY_TIMEOUT.plus(SLACK).toNanos());
    }

    @Test
    void reconnectsAfterTheServerIsStoppedAndStartedAgainOnTheSamePort() throws Exception {
        server = startServer();
        client = startClient(FAST);
        Await.until("connected and answered", TIMEOUT, () -> client.smoothedRttNanos() > 0);

        server.close();
        Await.until("the loss is noticed", TIMEOUT, () -> events.has("CONNECTED->DISCONNECTED"));
        Await.until("a reconnect attempt is refused", TIMEOUT, () -> events.has("CONNECTING->DISCONNECTED"));
        server = startServer();

        Await.until("connected again", TIMEOUT, () -> client.connections() == 2);
        Await.until("the new connection is answered", TIMEOUT, () -> client.smoothedRttNanos() > 0);
        assertThat(client.state()).isEqualTo(ClientState.CONNECTED);
        assertThat(client.peerState()).isEqualTo(PeerState.HEALTHY);
    }

    @Test
    void aSuccessfulConnectionResetsTheBackoff() throws Exception {
        server = startServer();
        client = startClient(FAST);
        Await.until("connected", TIMEOUT, () -> client.connections() == 1);
        server.close();
        Await.until("three refused attempts", TIMEOUT, () -> events.count("CONNECTING->DISCONNECTED") >= 3);
        server = startServer();
        Await.until("connected again", TIMEOUT, () -> client.connections() == 2);
        events.all.clear();

        server.close();
        Await.until("a reconnect attempt", TIMEOUT, () -> events.has("DISCONNECTED->CONNECTING"));

        assertThat(events.first("DISCONNECTED->CONNECTING").reason()).startsWith("attempt 1 ");
    }

    @Test
    void givesUpAndClosesAfterTheMaximumNumberOfFailedAttempts() throws Exception {
        client = startClient(FAST.withBackoff(Duration.ofMillis(5), Duration.ofMillis(20), 3));

        Await.until("the client gives up", TIMEOUT, () -> client.state() == ClientState.CLOSED);

        assertThat(events.count("CONNECTING->DISCONNECTED")).as("the first connect and three reconnects").isEqualTo(4);
        assertThat(events.first("DISCONNECTED->CLOSED").reason()).contains("3 failed reconnect attempts");
        Await.until("its thread ended", TIMEOUT, () -> LiveThreads.namedLike("hb-client-test").isEmpty());
    }

    @Test
    void closeStopsTheClientThreadAndEndsInClosed() throws Exception {
        server = startServer();
        client = startClient(FAST);
        Await.until("connected", TIMEOUT, () -> client.state() == ClientState.CONNECTED);

        client.close();

        assertThat(client.state()).isEqualTo(ClientState.CLOSED);
        assertThat(LiveThreads.namedLike("hb-client-test")).isEmpty();
    }
}
