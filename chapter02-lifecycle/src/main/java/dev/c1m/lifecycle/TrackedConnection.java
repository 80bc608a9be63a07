package dev.c1m.lifecycle;

import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A connection registered with a {@link ConnectionTracker}: its socket, when it opened, when it
 * last moved a byte, and how it ended.
 *
 * <p>Threads: the connection's own thread records activity and wake-ups and marks the handler
 * finished; any thread (the server's sweeper, a shutdown) may read those fields, which are
 * volatile, and may close the connection through the tracker. The close reason is set once.
 */
public final class TrackedConnection {

    private final long id;
    private final Socket socket;
    private final InstantSource clock;
    private final Instant openedAt;
    private final AtomicReference<CloseReason> closeReason = new AtomicReference<>();
    private volatile Instant lastActivity;
    private volatile long wakeups;
    private volatile boolean handlerFinished;

    TrackedConnection(long id, Socket socket, InstantSource clock) {
        this.id = id;
        this.socket = socket;
        this.clock = clock;
        this.openedAt = clock.instant();
        this.lastActivity = openedAt;
    }

    public long id() {
        return id;
    }

    public Socket socket() {
        return socket;
    }

    /** Bytes moved in either direction just now: the idle clock starts again. */
    public void recordActivity() {
        lastActivity = clock.instant();
    }

    /** The connection's thread woke from a read that timed out with nothing to read. */
    public void recordWakeup() {
        wakeups++; // written only by the connection's own thread
    }

    /** The handler has returned; if the socket is still open after this, it has leaked. */
    public void markHandlerFinished() {
        handlerFinished = true;
    }

    public Duration idleFor() {
        return Duration.between(lastActivity, clock.instant());
    }

    public Duration age() {
        return Duration.between(openedAt, clock.instant());
    }

    /** The reason it was closed for, or null while it is open. */
    public CloseReason closeReason() {
        return closeReason.get();
    }

    /** Records {@code reason} unless another was recorded first; true if this one counts. */
    boolean markClosed(CloseReason reason) {
        return closeReason.compareAndSet(null, reason);
    }

    ConnectionSnapshot snapshot() {
        return new ConnectionSnapshot(id, socket.getRemoteSocketAddress(), age(), idleFor(), wakeups,
                handlerFinished, !socket.isClosed());
    }
}
