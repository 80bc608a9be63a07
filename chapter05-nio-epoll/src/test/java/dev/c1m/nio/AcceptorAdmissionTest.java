package dev.c1m.nio;

import dev.c1m.echo.EchoProtocol;
import dev.c1m.echo.LineClient;
import dev.c1m.echo.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The acceptor's admission hooks: every admitted connection is released exactly once, with the
 * address it had at accept time, whichever way it ends; and a filter that says "full" stops
 * accepting until it runs the resume task.
 */
@Timeout(30)
class AcceptorAdmissionTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final InetSocketAddress ANY_PORT = new InetSocketAddress("127.0.0.1", 0);
    private static final Handler.Factory ECHO = LineProtocolHandler.factory(EchoProtocol.DEFAULT_MAX_LINE_BYTES);

    /** Admits everyone and records each release; can be made "full" to hold accepting. */
    private static final class RecordingFilter implements AcceptFilter {
        final List<InetSocketAddress> admitted = new CopyOnWriteArrayList<>();
        final List<InetSocketAddress> released = new CopyOnWriteArrayList<>();
        final AtomicBoolean full = new AtomicBoolean();
        final AtomicReference<Runnable> resume = new AtomicReference<>();

        @Override
        public boolean admit(SocketChannel channel) {
            try {
                admitted.add((InetSocketAddress) channel.getRemoteAddress());
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            return true;
        }

        @Override
        public void released(InetSocketAddress remote) {
            released.add(remote);
        }

        @Override
        public boolean holdWhileFull(Runnable resumeTask) {
            if (!full.get()) {
                return false;
            }
            resume.set(resumeTask);
            return true;
        }
    }

    @Test
    void releasesAClosedConnectionExactlyOnceWithTheAddressItHadAtAccept() throws Exception {
        RecordingFilter filter = new RecordingFilter();
        try (ReactorServer server = ReactorServer.multiReactor("release", ANY_PORT, 1, ECHO,
                ReactorSettings.defaults().withAcceptFilter(filter))) {
            InetSocketAddress clientAddress;
            try (LineClient client = LineClient.connect(server.localAddress(), TIMEOUT)) {
                clientAddress = (InetSocketAddress) client.socket().getLocalSocketAddress();
                assertThat(client.request("hi")).isEqualTo("echo: hi");
                assertThat(filter.released).isEmpty();
            }
            Await.until("the closed connection is released", TIMEOUT, () -> !filter.released.isEmpty());
            Await.until("the server has no connection", TIMEOUT, () -> server.connectionCount() == 0);

            assertThat(filter.released).containsExactly(clientAddress);
            assertThat(filter.admitted).containsExactly(clientAddress);
        }
    }

    @Test
    void releasesOnceWhenTheHandlerFactoryThrows() throws Exception {
        RecordingFilter filter = new RecordingFilter();
        Handler.Factory broken = connection -> {
            throw new IllegalStateException("no handler today");
        };
        try (ReactorServer server = ReactorServer.singleReactor("broken", ANY_PORT, broken,
                ReactorSettings.defaults().withAcceptFilter(filter));
             LineClient client = LineClient.connect(server.localAddress(), TIMEOUT)) {

            assertThat(client.readLine()).isNull(); // closed without a reply
            Await.until("the admission is released", TIMEOUT, () -> !filter.released.isEmpty());
            Await.until("the server has no connection", TIMEOUT, () -> server.connectionCount() == 0);
            assertThat(filter.released).containsExactly((InetSocketAddress) client.socket().getLocalSocketAddress());
        }
    }

    @Test
    void releasesOnceWhenTheWorkerRefusesTheHandOff() throws Exception {
        RecordingFilter filter = new RecordingFilter();
        try (ReactorServer server = ReactorServer.multiReactor("refused", ANY_PORT, 1, ECHO,
                ReactorSettings.defaults().withAcceptFilter(filter))) {
            server.workers().getFirst().close(); // the acceptor's hand-off is now rejected
            try (LineClient client = LineClient.connect(server.localAddress(), TIMEOUT)) {
                assertThat(client.readLine()).isNull();
                Await.until("the admission is released", TIMEOUT, () -> !filter.released.isEmpty());
                assertThat(filter.released).containsExactly((InetSocketAddress) client.socket().getLocalSocketAddress());
            }
        }
    }

    @Test
    void releasesOnceWhenTheWorkerClosesWithTheHandOffQueued() throws Exception {
        RecordingFilter filter = new RecordingFilter();
        try (ReactorServer server = ReactorServer.multiReactor("closing", ANY_PORT, 1, ECHO,
                ReactorSettings.defaults().withAcceptFilter(filter))) {
            Reactor worker = server.workers().getFirst();
            CountDownLatch unblock = new CountDownLatch(1);
            worker.execute(() -> awaitQuietly(unblock)); // the worker is stuck in a task
            try (LineClient client = LineClient.connect(server.localAddress(), TIMEOUT)) {
                Acceptor acceptor = server.acceptors().getFirst();
                Await.until("the hand-off is queued", TIMEOUT, () -> acceptor.acceptedConnections() == 1);
                Thread closer = Thread.ofPlatform().name("closing-closer").start(worker::close);
                Await.until("the worker is closing", TIMEOUT, () -> rejects(worker));
                unblock.countDown(); // the queued hand-off now runs on a closing worker, which drops it
                closer.join(TIMEOUT.toMillis());

                assertThat(closer.isAlive()).isFalse();
                assertThat(client.readLine()).isNull();
                assertThat(filter.released).containsExactly((InetSocketAddress) client.socket().getLocalSocketAddress());
            }
        }
    }

    @Test
    void stopsAcceptingWhileTheFilterSaysFullAndResumesWhenItRunsTheResumeTask() throws Exception {
        RecordingFilter filter = new RecordingFilter();
        filter.full.set(true);
        try (ReactorServer server = ReactorServer.singleReactor("held", ANY_PORT, ECHO,
                ReactorSettings.defaults().withAcceptFilter(filter));
             LineClient waiting = LineClient.connect(server.localAddress(), TIMEOUT);
             LineClient alsoWaiting = LineClient.connect(server.localAddress(), TIMEOUT)) {
            Acceptor acceptor = server.acceptors().getFirst();
            Reactor reactor = server.workers().getFirst();
            Await.until("the acceptor holds", TIMEOUT, () -> acceptor.holdsWhileFull() == 1);
            waiting.send("first");
            alsoWaiting.send("second");
            roundTrip(reactor); // a listener still registered for OP_ACCEPT would be accepted here,
            roundTrip(reactor); // and counted before this second task runs

            assertThat(acceptor.acceptedConnections()).isZero();
            assertThat(acceptor.holdsWhileFull()).isEqualTo(1); // no busy loop asking the filter
            assertThat(filter.admitted).isEmpty();

            filter.full.set(false);
            filter.resume.get().run(); // from a foreign thread, as a releasing worker would
            assertThat(waiting.readLine()).isEqualTo("echo: first"); // the backlog kept both
            assertThat(alsoWaiting.readLine()).isEqualTo("echo: second");
            assertThat(acceptor.acceptedConnections()).isEqualTo(2);
        }
    }

    private static void roundTrip(Reactor reactor) throws InterruptedException {
        CountDownLatch ran = new CountDownLatch(1);
        reactor.execute(ran::countDown);
        assertThat(ran.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    }

    private static boolean rejects(Reactor reactor) {
        try {
            reactor.execute(() -> { });
            return false;
        } catch (RejectedExecutionException e) {
            return true;
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
