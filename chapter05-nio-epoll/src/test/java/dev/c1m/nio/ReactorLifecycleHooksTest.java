package dev.c1m.nio;

import dev.c1m.echo.EchoProtocol;
import dev.c1m.echo.LineClient;
import dev.c1m.echo.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The hooks a complete server needs from its reactors: timers, draining every connection, stopping accepts. */
@Timeout(30)
class ReactorLifecycleHooksTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private ReactorServer server;

    @BeforeEach
    void startServer() throws IOException {
        server = ReactorServer.reusePort("hooks", new InetSocketAddress("127.0.0.1", 0), 2,
                LineProtocolHandler.factory(EchoProtocol.DEFAULT_MAX_LINE_BYTES), ReactorSettings.defaults());
    }

    @AfterEach
    void closeServer() {
        server.close();
    }

    @Test
    void aTimerFiresOnTheReactorThreadNoEarlierThanItsDelayAndWithinTwoTicks() throws Exception {
        Reactor reactor = server.workers().getFirst();
        long delayNanos = TimeUnit.MILLISECONDS.toNanos(150);
        CompletableFuture<Long> scheduledAt = new CompletableFuture<>();
        CompletableFuture<Long> firedAt = new CompletableFuture<>();
        CompletableFuture<Boolean> firedOnReactor = new CompletableFuture<>();

        reactor.execute(() -> {
            long now = System.nanoTime();
            scheduledAt.complete(now);
            reactor.timers().schedule(() -> {
                firedAt.complete(System.nanoTime());
                firedOnReactor.complete(reactor.inReactorThread());
            }, now, delayNanos);
        });

        long lateness = firedAt.get(5, TimeUnit.SECONDS) - scheduledAt.get() - delayNanos;
        assertThat(firedOnReactor.get()).isTrue();
        assertThat(lateness).isNotNegative();
        // the reactor sleeps in select for at most one tick; allow a second one for a busy machine
        assertThat(lateness).isLessThan(TimeUnit.MILLISECONDS.toNanos(2 * Reactor.TIMER_TICK_MILLIS + 500));
    }

    @Test
    void forEachConnectionReachesEveryOpenConnectionSoTheyCanBeDrained() throws Exception {
        List<LineClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 6; i++) {
                LineClient client = LineClient.connect(server.localAddress(), TIMEOUT);
                clients.add(client);
                assertThat(client.request("before " + i)).isEqualTo("echo: before " + i);
            }

            for (Reactor reactor : server.workers()) {
                reactor.execute(() -> reactor.forEachConnection(Connection::closeAfterFlush));
            }

            for (LineClient client : clients) {
                assertThat(client.readLine()).as("end of stream after the drain").isNull();
            }
            assertThat(server.connectionCount()).as("lingering until the peers' FIN").isEqualTo(6);
        } finally {
            for (LineClient client : clients) {
                client.close();
            }
        }
        Await.until("every connection closed", TIMEOUT, () -> server.connectionCount() == 0);
    }

    @Test
    void stopAcceptingRefusesNewConnectionsAndKeepsServingOpenOnes() throws IOException {
        InetSocketAddress address = server.localAddress();
        try (LineClient open = LineClient.connect(address, TIMEOUT)) {
            assertThat(open.request("one")).isEqualTo("echo: one");

            server.stopAccepting();

            assertThatThrownBy(() -> LineClient.connect(address, TIMEOUT)).isInstanceOf(ConnectException.class);
            assertThat(open.request("two")).isEqualTo("echo: two");
            assertThat(server.acceptors().stream().mapToLong(Acceptor::acceptedConnections).sum()).isEqualTo(1);
        }
    }

    @Test
    void everyTaskAcceptedWhileTheReactorClosesStillRuns() throws Exception {
        for (int round = 0; round < 20; round++) {
            Reactor reactor = Reactor.start("closing-" + round, ReactorSettings.defaults());
            AtomicInteger accepted = new AtomicInteger();
            AtomicInteger ran = new AtomicInteger();
            CountDownLatch submittersReady = new CountDownLatch(4);
            List<Thread> submitters = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                submitters.add(Thread.ofPlatform().start(() -> {
                    submittersReady.countDown();
                    while (true) {
                        try {
                            reactor.execute(ran::incrementAndGet);
                            accepted.incrementAndGet();
                        } catch (RejectedExecutionException closed) {
                            return;
                        }
                    }
                }));
            }
            submittersReady.await();
            reactor.close();
            for (Thread submitter : submitters) {
                submitter.join();
            }
            assertThat(ran.get()).as("round %d: tasks run against tasks accepted", round).isEqualTo(accepted.get());
        }
    }
}
