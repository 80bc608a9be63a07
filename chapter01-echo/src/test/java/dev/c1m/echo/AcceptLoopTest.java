package dev.c1m.echo;

import dev.c1m.echo.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The accept loop under failing {@code accept()} calls, with a scripted listener. */
@Timeout(30)
class AcceptLoopTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** A real listener whose accept() first fails a given number of times, like one out of descriptors. */
    private static final class FailingListener extends ServerSocket {
        private final AtomicInteger failuresLeft;
        final AtomicInteger acceptCalls = new AtomicInteger();

        FailingListener(int failures) throws IOException {
            super(0, 50, java.net.InetAddress.getLoopbackAddress());
            this.failuresLeft = new AtomicInteger(failures);
        }

        @Override
        public Socket accept() throws IOException {
            acceptCalls.incrementAndGet();
            if (failuresLeft.getAndDecrement() > 0) {
                throw new IOException("Too many open files");
            }
            return super.accept();
        }
    }

    private static InetSocketAddress addressOf(ServerSocket listener) {
        return (InetSocketAddress) listener.getLocalSocketAddress();
    }

    @Test
    void backsOffExponentiallyWhileAcceptFailsThenServesTheWaitingClient() throws Exception {
        List<Duration> pauses = new CopyOnWriteArrayList<>();
        AcceptBackoff recording = new AcceptBackoff(Duration.ofMillis(5), Duration.ofMillis(40), pauses::add);
        FailingListener listener = new FailingListener(5);

        try (TcpServer server = TcpServer.start("test", listener, new LineEchoHandler(),
                TcpServer.platformThreadPerConnection("echo-conn-"), recording);
             LineClient client = LineClient.connect(addressOf(listener), TIMEOUT)) {

            assertThat(client.request("through")).isEqualTo("echo: through");
            assertThat(pauses).extracting(Duration::toMillis).containsExactly(5L, 10L, 20L, 40L, 40L);
            assertThat(server.acceptFailures()).isEqualTo(5);
        }
    }

    @Test
    void retriesAFailingAcceptOnlyAFewTimesASecondInsteadOfSpinning() throws Exception {
        FailingListener listener = new FailingListener(Integer.MAX_VALUE);

        try (TcpServer server = TcpServer.start("test", listener, new LineEchoHandler(),
                TcpServer.platformThreadPerConnection("echo-conn-"), AcceptBackoff.standard())) {
            Await.until("accept has failed four times", TIMEOUT, () -> server.acceptFailures() >= 4);
            long callsAfterFourFailures = listener.acceptCalls.get();
            Thread.sleep(300);
            // 5 + 10 + 20 + 40 ms have passed; the next pauses are 80, 160, 320 ms: at most 3 more
            // calls fit in 300 ms (5 allows for a slow scheduler). A loop without back-off would make millions.
            assertThat(listener.acceptCalls.get() - callsAfterFourFailures).isLessThanOrEqualTo(5);
        }
    }

    @Test
    void closesAConnectionThatGetsNoThreadAndKeepsAccepting() throws Exception {
        AtomicInteger threadsRefused = new AtomicInteger();
        ThreadFactory starved = task -> {
            if (threadsRefused.getAndIncrement() == 0) {
                throw new OutOfMemoryError("unable to create native thread: possibly out of memory or process/resource limits reached");
            }
            return Thread.ofPlatform().name("echo-conn-after-").unstarted(task);
        };
        List<Duration> pauses = new CopyOnWriteArrayList<>();
        AcceptBackoff recording = new AcceptBackoff(Duration.ofMillis(5), Duration.ofMillis(40), pauses::add);
        ServerSocket listener = TcpServer.bind(new InetSocketAddress("127.0.0.1", 0), 50);

        try (TcpServer server = TcpServer.start("test", listener, new LineEchoHandler(),
                Executors.newThreadPerTaskExecutor(starved), recording)) {
            try (LineClient first = LineClient.connect(addressOf(listener), TIMEOUT)) {
                assertThat(first.readLine()).as("closed at once, with a FIN").isNull();
            }
            try (LineClient second = LineClient.connect(addressOf(listener), TIMEOUT)) {
                assertThat(second.request("still accepting")).isEqualTo("echo: still accepting");
            }
            assertThat(pauses).as("one back-off pause for the refused thread").hasSize(1);
            assertThat(server.acceptFailures()).isZero();
            Await.until("the refused connection is released", TIMEOUT, () -> server.activeConnections() == 0);
        }
    }
}
