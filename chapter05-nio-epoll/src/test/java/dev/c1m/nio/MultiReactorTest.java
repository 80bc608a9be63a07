package dev.c1m.nio;

import dev.c1m.echo.EchoProtocol;
import dev.c1m.echo.LineClient;
import dev.c1m.echo.testing.LiveThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(60)
class MultiReactorTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final InetSocketAddress ANY_PORT = new InetSocketAddress("127.0.0.1", 0);

    @Test
    void theAcceptorHandsOffABurstOfTwoThousandConnectsWithoutLosingOne() throws Exception {
        int connections = 2_000;
        int clientThreads = 8;
        try (ReactorServer server = ReactorServer.multiReactor("burst", ANY_PORT, 2,
                LineProtocolHandler.factory(EchoProtocol.DEFAULT_MAX_LINE_BYTES), ReactorSettings.defaults())) {
            CountDownLatch start = new CountDownLatch(1);
            AtomicInteger answered = new AtomicInteger();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            List<LineClient> clients = Collections.synchronizedList(new ArrayList<>());
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < clientThreads; t++) {
                threads.add(Thread.ofPlatform().name("burst-client-" + t).start(() -> {
                    try {
                        start.await();
                        for (int i = 0; i < connections / clientThreads; i++) { // connect all first: a burst
                            clients.add(LineClient.connect(server.localAddress(), TIMEOUT));
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }));
            }
            try {
                start.countDown();
                for (Thread thread : threads) {
                    thread.join();
                }
                assertThat(failure.get()).isNull();
                for (LineClient client : clients) {
                    assertThat(client.request("hi")).isEqualTo("echo: hi");
                    answered.incrementAndGet();
                }

                assertThat(answered.get()).isEqualTo(connections);
                assertThat(server.acceptors().getFirst().acceptedConnections()).isEqualTo(connections);
                assertThat(server.workers()).extracting(Reactor::registeredConnections)
                        .containsExactly((long) connections / 2, (long) connections / 2); // round-robin
                assertThat(LiveThreads.namedLike("burst-")).filteredOn(name -> !name.startsWith("burst-client"))
                        .containsExactly("burst-0", "burst-1", "burst-acceptor");
            } finally {
                for (LineClient client : clients) {
                    client.close();
                }
            }
        }
    }

    @Test
    void theReusePortVariantServesOnEveryAcceptor() throws IOException {
        int reactors = 3;
        try (ReactorServer server = ReactorServer.reusePort("reuse", ANY_PORT, reactors,
                LineProtocolHandler.factory(EchoProtocol.DEFAULT_MAX_LINE_BYTES), ReactorSettings.defaults())) {
            assertThat(server.acceptors()).hasSize(reactors)
                    .extracting(acceptor -> acceptor.localAddress().getPort()).containsOnly(server.localAddress().getPort());
            for (int i = 0; i < 300; i++) { // the kernel hashes each connection's 4-tuple to one listener
                try (LineClient client = LineClient.connect(server.localAddress(), TIMEOUT)) {
                    assertThat(client.request("r" + i)).isEqualTo("echo: r" + i);
                }
            }

            assertThat(server.acceptors()).extracting(Acceptor::acceptedConnections).allMatch(count -> count > 0);
            assertThat(server.acceptors().stream().mapToLong(Acceptor::acceptedConnections).sum()).isEqualTo(300);
        }
    }

    @Test
    void anAcceptFilterRefusesConnectionsBeforeTheyReachAWorker() throws IOException {
        AtomicInteger seen = new AtomicInteger();
        ReactorSettings everySecondRefused = ReactorSettings.defaults()
                .withAcceptFilter(channel -> seen.incrementAndGet() % 2 == 1);
        try (ReactorServer server = ReactorServer.multiReactor("filter", ANY_PORT, 1,
                LineProtocolHandler.factory(EchoProtocol.DEFAULT_MAX_LINE_BYTES), everySecondRefused);
             LineClient admitted = LineClient.connect(server.localAddress(), TIMEOUT);
             LineClient refused = LineClient.connect(server.localAddress(), TIMEOUT)) {

            assertThat(admitted.request("in")).isEqualTo("echo: in");
            assertThat(readOrClosed(refused)).isNull();
            assertThat(server.acceptors().getFirst().refusedConnections()).isEqualTo(1);
            assertThat(server.workers().getFirst().registeredConnections()).isEqualTo(1);
        }
    }

    /** The reply, or null if the server closed the connection (FIN or RST). */
    private static String readOrClosed(LineClient client) {
        try {
            return client.request("anyone?");
        } catch (IOException closed) {
            return null;
        }
    }
}
