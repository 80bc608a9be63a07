package dev.c1m.lifecycle;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static dev.c1m.echo.testing.Await.until;
import static org.assertj.core.api.Assertions.assertThat;

@Timeout(20)
class WriteWatchdogTest {

    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration WAIT = Duration.ofSeconds(5);

    private final ManualClock clock = new ManualClock();
    private final WriteWatchdog watchdog = new WriteWatchdog(clock);

    @Test
    void firesOnlyWhenAWriteHasBeenBlockedForLongerThanTheTimeout() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        OutputStream blocking = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] bytes, int offset, int length) throws IOException {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
            }
        };
        WriteWatchdog.WatchedOutputStream out = watchdog.watch(blocking, WRITE_TIMEOUT, release::countDown);
        Thread writer = Thread.ofPlatform().name("blocked-writer").start(() -> {
            try {
                out.write(new byte[16]);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            until("the write is in progress", WAIT, out::writeInProgress);

            clock.advance(WRITE_TIMEOUT);
            assertThat(watchdog.sweep()).as("exactly at the timeout").isZero();
            clock.advance(Duration.ofMillis(1));
            assertThat(watchdog.sweep()).as("just past the timeout").isEqualTo(1);

            assertThat(writer.join(WAIT)).as("the timeout action unblocked the writer").isTrue();
            assertThat(watchdog.watchedCount()).isZero();
        } finally {
            release.countDown();
        }
    }

    @Test
    void aWriteThatCompletedIsNeverTimedOut() throws Exception {
        AtomicLong timeouts = new AtomicLong();
        try (WriteWatchdog.WatchedOutputStream out =
                     watchdog.watch(new ByteArrayOutputStream(), WRITE_TIMEOUT, timeouts::incrementAndGet)) {
            out.write(new byte[100_000]);

            clock.advance(WRITE_TIMEOUT.multipliedBy(10));

            assertThat(watchdog.sweep()).isZero();
            assertThat(timeouts).hasValue(0);
        }
    }

    @Test
    void closingTheWatchedStreamStopsWatchingIt() throws Exception {
        WriteWatchdog.WatchedOutputStream out = watchdog.watch(new ByteArrayOutputStream(), WRITE_TIMEOUT, () -> { });
        assertThat(watchdog.watchedCount()).isEqualTo(1);

        out.close();

        assertThat(watchdog.watchedCount()).isZero();
    }

    @Test
    void unblocksASocketWriterWhosePeerNeverReads() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             Socket writerSide = new Socket(listener.getInetAddress(), listener.getLocalPort());
             Socket neverReads = listener.accept()) {
            WriteWatchdog.WatchedOutputStream out =
                    watchdog.watch(writerSide.getOutputStream(), WRITE_TIMEOUT, () -> closeQuietly(writerSide));
            AtomicLong written = new AtomicLong();
            long attempted = 256L * 1024 * 1024;
            CompletableFuture<Throwable> writerEnded = new CompletableFuture<>();
            Thread.ofPlatform().name("socket-writer").start(() -> {
                try {
                    byte[] chunk = new byte[64 * 1024];
                    while (written.get() < attempted) {
                        out.write(chunk);
                        written.addAndGet(chunk.length);
                    }
                    writerEnded.complete(null);
                } catch (IOException e) {
                    writerEnded.complete(e);
                }
            });

            // Once a write is in progress and the byte count stood still between two polls, move
            // the clock past the timeout and sweep; repeat until the watchdog fires.
            AtomicLong seen = new AtomicLong(-1);
            until("the watchdog closed the blocked write", WAIT, () -> {
                long now = written.get();
                if (out.writeInProgress() && now == seen.getAndSet(now)) {
                    clock.advance(WRITE_TIMEOUT.plusMillis(1));
                }
                return watchdog.sweep() == 1;
            });

            assertThat(writerEnded.get(WAIT.toMillis(), TimeUnit.MILLISECONDS))
                    .as("the blocked write failed instead of hanging").isInstanceOf(IOException.class);
            assertThat(written.get()).as("the writer was stopped by the full buffers").isLessThan(attempted);
            assertThat(writerSide.isClosed()).isTrue();
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
