package dev.c1m.limit;

import dev.c1m.echo.EchoProtocol;
import dev.c1m.echo.testing.Await;
import dev.c1m.limit.AdmissionGate.WhenFull;
import dev.c1m.limit.ConnectionAdmission.Verdict;
import dev.c1m.nio.Acceptor;
import dev.c1m.nio.Handler;
import dev.c1m.nio.LineProtocolHandler;
import dev.c1m.nio.Reactor;
import dev.c1m.nio.ReactorServer;
import dev.c1m.nio.ReactorSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Connection admission applied inside chapter 5's reactor, over real loopback connections: both
 * ways to say no, per-address limits over several source addresses, the connection rate, and
 * counts that return to zero.
 */
@Timeout(60)
class ReactorAdmissionTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final InetSocketAddress ANY_PORT = new InetSocketAddress("127.0.0.1", 0);
    private static final Handler.Factory ECHO = LineProtocolHandler.factory(EchoProtocol.DEFAULT_MAX_LINE_BYTES);
    private static final String BUSY = "error: server busy";

    private final List<TestClient> clients = Collections.synchronizedList(new ArrayList<>());
    private final List<AutoCloseable> servers = new ArrayList<>();
    /** Flood clients that were answered with an echo. */
    private final List<TestClient> admitted = Collections.synchronizedList(new ArrayList<>());

    @AfterEach
    void closeAll() throws Exception {
        closeClients();
        for (AutoCloseable server : servers.reversed()) {
            server.close();
        }
    }

    private void closeClients() throws IOException {
        synchronized (clients) {
            for (TestClient client : clients) {
                client.close();
            }
            clients.clear();
        }
    }

    private ReactorServer start(ReactorServer server) {
        servers.add(server);
        return server;
    }

    private TestClient connect(ReactorServer server, String source) throws IOException {
        TestClient client = TestClient.connect(server.localAddress(), source, TIMEOUT);
        clients.add(client);
        return client;
    }

    @Test
    void aFloodOfTwiceTheLimitServesExactlyTheLimitAndTellsTheRestTheServerIsBusy() throws Exception {
        int limit = 50;
        ConnectionAdmission admission = new ConnectionAdmission(limit, limit, () -> true);
        ReactorServer server = start(ReactorServer.multiReactor("flood", ANY_PORT, 2, ECHO,
                ReactorSettings.defaults().withAcceptFilter(new AdmissionGate(admission, WhenFull.REPLY_BUSY))));

        Map<String, Integer> replies = flood(server, 2 * limit, 10);

        assertThat(replies).containsOnlyKeys("echo: hello", BUSY)
                .containsEntry("echo: hello", limit).containsEntry(BUSY, limit);
        assertThat(admission.count(Verdict.SERVER_FULL)).isEqualTo(limit);
        // the gate sends the busy line inside admit(); the acceptor counts the refusal just after, so
        // a client can read its reply before the count includes it (24 and 8 of 300 repeated runs failed without this wait)
        Await.until("the acceptor has counted every refusal", TIMEOUT,
                () -> server.acceptors().getFirst().refusedConnections() == limit);
        assertThat(server.connectionCount()).isEqualTo(limit);
        assertThat(admitted.getFirst().request("still there?")).isEqualTo("echo: still there?"); // responsive while full

        closeClients();
        Await.until("every admission is released", TIMEOUT,
                () -> admission.openConnections() == 0 && server.connectionCount() == 0);
        assertThat(admission.trackedAddresses()).isZero();
        assertThat(connect(server, "127.0.0.1").request("after")).isEqualTo("echo: after");
    }

    /** {@code count} clients connect at once from {@code threads} threads, each sends one line and reads one. */
    private Map<String, Integer> flood(ReactorServer server, int count, int threads) throws Exception {
        assertThat(count % threads).as("clients per thread").isZero();
        Map<String, Integer> replies = new ConcurrentHashMap<>();
        CountDownLatch start = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> flooders = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            flooders.add(Thread.ofPlatform().name("flood-client-" + t).start(() -> {
                try {
                    start.await();
                    for (int i = 0; i < count / threads; i++) {
                        TestClient client = connect(server, "127.0.0.1");
                        client.sendQuietly("hello"); // a refused client may be closed already
                        String reply = client.readLine();
                        replies.merge(String.valueOf(reply), 1, Integer::sum);
                        if ("echo: hello".equals(reply)) {
                            admitted.add(client);
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        start.countDown();
        for (Thread flooder : flooders) {
            flooder.join(TIMEOUT.toMillis());
        }
        assertThat(failure.get()).isNull();
        return replies;
    }

    @Test
    void whenStoppingAcceptingTheExcessWaitsInTheBacklogAndIsServedAsEarlierConnectionsClose() throws Exception {
        int limit = 20;
        ConnectionAdmission admission = new ConnectionAdmission(limit, limit, () -> true);
        ReactorServer server = start(ReactorServer.singleReactor("backlog", ANY_PORT, ECHO,
                ReactorSettings.defaults().withAcceptFilter(new AdmissionGate(admission, WhenFull.STOP_ACCEPTING))));
        Acceptor acceptor = server.acceptors().getFirst();
        List<TestClient> flood = new ArrayList<>();
        for (int i = 0; i < 2 * limit; i++) { // one by one: the kernel's accept queue keeps this order
            TestClient client = connect(server, "127.0.0.1");
            client.send("hello " + i);
            flood.add(client);
        }
        for (int i = 0; i < limit; i++) {
            assertThat(flood.get(i).readLine()).isEqualTo("echo: hello " + i);
        }
        Await.until("the acceptor stops accepting", TIMEOUT, () -> acceptor.holdsWhileFull() >= 1);
        roundTrip(server.workers().getFirst()); // an acceptor still accepting would accept here,
        roundTrip(server.workers().getFirst()); // before this second task runs

        assertThat(acceptor.acceptedConnections()).isEqualTo(limit);
        assertThat(acceptor.refusedConnections()).isZero();
        assertThat(admission.refusals()).as("nobody was told busy").isZero();
        assertThat(flood.getFirst().request("still there?")).isEqualTo("echo: still there?");

        for (int i = 0; i < limit; i++) {
            flood.get(i).close(); // each close makes room for one waiting client
        }
        for (int i = limit; i < 2 * limit; i++) {
            assertThat(flood.get(i).readLine()).isEqualTo("echo: hello " + i);
        }
        assertThat(admission.refusals()).isZero();

        closeClients();
        Await.until("every admission is released", TIMEOUT,
                () -> admission.openConnections() == 0 && server.connectionCount() == 0);
        assertThat(connect(server, "127.0.0.1").request("after")).isEqualTo("echo: after");
    }

    @Test
    void perAddressLimitsHoldForEachLoopbackSourceAddressAndAlwaysAnswerBusy() throws Exception {
        int perAddress = 3;
        ConnectionAdmission admission = new ConnectionAdmission(1_000, perAddress, () -> true);
        ReactorServer server = start(ReactorServer.multiReactor("per-address", ANY_PORT, 2, ECHO,
                ReactorSettings.defaults().withAcceptFilter(new AdmissionGate(admission, WhenFull.STOP_ACCEPTING))));
        List<String> sources = List.of("127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5");

        for (String source : sources) {
            List<String> replies = new ArrayList<>();
            for (int i = 0; i < perAddress + 2; i++) {
                TestClient client = connect(server, source);
                client.sendQuietly("hello");
                replies.add(client.readLine());
            }
            assertThat(replies).as("from %s", source)
                    .containsExactly("echo: hello", "echo: hello", "echo: hello", BUSY, BUSY);
            assertThat(admission.openFrom(InetAddress.getByName(source))).isEqualTo(perAddress);
        }
        assertThat(admission.count(Verdict.ADDRESS_FULL)).isEqualTo(2L * sources.size());
        assertThat(admission.openConnections()).isEqualTo(perAddress * sources.size());

        closeClients();
        Await.until("every admission is released", TIMEOUT,
                () -> admission.openConnections() == 0 && server.connectionCount() == 0);
        assertThat(admission.trackedAddresses()).isZero();
    }

    @Test
    void connectionRateRefusalsAnswerBusyEvenWhenFullMeansStopAccepting() throws Exception {
        ManualClock clock = new ManualClock();
        ConnectionAdmission admission = new ConnectionAdmission(1_000, 1_000,
                new TokenBucket(Rate.perSecond(1), 3, clock));
        ReactorServer server = start(ReactorServer.singleReactor("rate", ANY_PORT, ECHO,
                ReactorSettings.defaults().withAcceptFilter(new AdmissionGate(admission, WhenFull.STOP_ACCEPTING))));

        List<String> replies = new ArrayList<>();
        for (int i = 0; i < 5; i++) { // time is frozen: the burst of 3, then nothing
            TestClient client = connect(server, "127.0.0.1");
            client.sendQuietly("hello");
            replies.add(client.readLine());
        }
        assertThat(replies).containsExactly("echo: hello", "echo: hello", "echo: hello", BUSY, BUSY);
        assertThat(admission.count(Verdict.RATE_EXCEEDED)).isEqualTo(2);

        clock.advance(Duration.ofSeconds(1));
        assertThat(connect(server, "127.0.0.1").request("one more")).isEqualTo("echo: one more");
    }

    private static void roundTrip(Reactor reactor) throws InterruptedException {
        CountDownLatch ran = new CountDownLatch(1);
        reactor.execute(ran::countDown);
        assertThat(ran.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    }
}
