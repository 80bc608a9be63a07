package dev.c1m.nio;

import dev.c1m.echo.EchoProtocol;
import dev.c1m.echo.LineClient;
import dev.c1m.echo.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(60)
class BackpressureTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final int REQUESTS = 200;
    private static final int READ_BUFFER = 16 * 1024;
    private static final Watermarks MARKS = new Watermarks(16 * 1024, 64 * 1024);

    @Test
    void aClientThatSendsButNeverReadsCostsABoundedBufferAndDoesNotSlowAnotherClient() throws Exception {
        try (ReactorServer server = ReactorServer.singleReactor("backpressure", new InetSocketAddress("127.0.0.1", 0),
                LineProtocolHandler.factory(EchoProtocol.DEFAULT_MAX_LINE_BYTES),
                ReactorSettings.defaults().withReadBufferBytes(READ_BUFFER).withWatermarks(MARKS));
             LineClient flooder = LineClient.connect(server.localAddress(), TIMEOUT);
             LineClient other = LineClient.connect(server.localAddress(), TIMEOUT)) {
            Reactor reactor = server.workers().getFirst();
            long medianAlone = medianEchoNanos(other);
            byte[] lines = "0123456789abcdef\n".repeat(1_000).getBytes(StandardCharsets.UTF_8);
            AtomicLong sent = new AtomicLong();
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        flooder.sendRaw(lines);
                        sent.addAndGet(lines.length);
                    }
                } catch (IOException expected) {
                    // the socket is closed at the end of the test
                }
            });

            Await.until("the flooder's backlog reached the high watermark, which pauses reading it", TIMEOUT,
                    () -> reactor.peakPendingOutputBytes() >= MARKS.high());
            long medianBesideTheFlooder = medianEchoNanos(other);
            Await.until("the flooder's writes block: the server stopped reading", TIMEOUT, () -> {
                long before = sent.get();
                sleepMillis(100);
                return sent.get() == before && writer.getState() == Thread.State.WAITING; // parked in write()
            });

            // One read of 16 KiB of 17-byte lines produces 16 KiB * 23 / 17 < 2 * 16 KiB of replies.
            assertThat(reactor.peakPendingOutputBytes()).isLessThanOrEqualTo(MARKS.high() + 2L * READ_BUFFER);
            assertThat(medianBesideTheFlooder).as("the other client's median echo time beside the flooder, ns")
                    .isLessThanOrEqualTo(4 * medianAlone + TimeUnit.MILLISECONDS.toNanos(20));
            flooder.socket().close();
            assertThat(writer.join(TIMEOUT)).isTrue();
        }
    }

    private static long medianEchoNanos(LineClient client) throws IOException {
        long[] latencies = new long[REQUESTS];
        for (int i = 0; i < REQUESTS; i++) {
            long start = System.nanoTime();
            assertThat(client.request("ping " + i)).isEqualTo("echo: ping " + i);
            latencies[i] = System.nanoTime() - start;
        }
        Arrays.sort(latencies);
        return latencies[REQUESTS / 2];
    }

    private static void sleepMillis(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
