package dev.c1m.lifecycle;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A write timeout for blocking sockets, which Java does not have: {@code setSoTimeout} bounds
 * reads only, and a {@code write()} to a peer that stopped reading blocks for as long as the
 * kernel keeps the connection, which can be forever. (Go has {@code SetWriteDeadline}.)
 *
 * <p>How: {@link #watch} wraps a connection's output stream. The wrapper stamps the clock before
 * each write to the underlying stream and clears the stamp after it. Writes are cut into chunks
 * of at most 8 KiB, so a stamp older than the timeout means that not even 8 KiB found room in the
 * socket's send buffer for that long: the peer is not reading. {@link #sweep()}, called
 * periodically by one thread, runs the stream's timeout action for every such write; the action
 * closes the socket, which makes the blocked {@code write()} throw at once.
 *
 * <p>Threads: each watched stream is written by its connection's thread; {@link #sweep()} runs on
 * the caller's thread (the server's sweeper) and reads the stamps, which are volatile. A timeout
 * fires no earlier than {@code timeout} after the write began and no later than that plus one
 * sweep interval. Time comes from the injected clock, so tests advance it by hand.
 */
public final class WriteWatchdog {

    private static final System.Logger LOG = System.getLogger(WriteWatchdog.class.getName());
    private static final int CHUNK_BYTES = 8 * 1024;

    private final InstantSource clock;
    private final Set<WatchedOutputStream> watched = ConcurrentHashMap.newKeySet();

    public WriteWatchdog(InstantSource clock) {
        this.clock = clock;
    }

    /**
     * Wraps {@code out} so that a write blocked for longer than {@code timeout} runs
     * {@code onTimeout} (which should close the socket). Closing the returned stream stops
     * watching; it does not close {@code out}.
     */
    public WatchedOutputStream watch(OutputStream out, Duration timeout, Runnable onTimeout) {
        WatchedOutputStream stream = new WatchedOutputStream(out, timeout, onTimeout);
        watched.add(stream);
        return stream;
    }

    /** Runs the timeout action of every write blocked for longer than its timeout; returns how many. */
    public int sweep() {
        Instant now = clock.instant();
        int expired = 0;
        for (WatchedOutputStream stream : watched) {
            if (stream.expiredAt(now)) {
                watched.remove(stream);
                LOG.log(Level.INFO, "write blocked for more than {0} ms; closing the connection",
                        stream.timeout.toMillis());
                stream.onTimeout.run();
                expired++;
            }
        }
        return expired;
    }

    /** Streams being watched. */
    public int watchedCount() {
        return watched.size();
    }

    /** An output stream whose writes are timed by the watchdog that made it. */
    public final class WatchedOutputStream extends OutputStream {

        private final OutputStream out;
        private final Duration timeout;
        private final Runnable onTimeout;
        /** When the write in progress began; null between writes. Written by the writer thread only. */
        private volatile Instant writeStartedAt;

        private WatchedOutputStream(OutputStream out, Duration timeout, Runnable onTimeout) {
            this.out = out;
            this.timeout = timeout;
            this.onTimeout = onTimeout;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            Objects.checkFromIndexSize(offset, length, bytes.length);
            for (int done = 0; done < length; ) {
                int chunk = Math.min(CHUNK_BYTES, length - done);
                writeStartedAt = clock.instant();
                try {
                    out.write(bytes, offset + done, chunk);
                } finally {
                    writeStartedAt = null;
                }
                done += chunk;
            }
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        /** Whether a write is blocked in the underlying stream right now. */
        public boolean writeInProgress() {
            return writeStartedAt != null;
        }

        /** Stops watching this stream; the underlying stream stays open. */
        @Override
        public void close() {
            watched.remove(this);
        }

        private boolean expiredAt(Instant now) {
            Instant started = writeStartedAt;
            return started != null && Duration.between(started, now).compareTo(timeout) > 0;
        }
    }
}
