package dev.c1m.lifecycle;

import java.lang.System.Logger.Level;
import java.net.Socket;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Keeps the books on a server's connections: how many were opened and closed, which are open now
 * and for how long, why each one ended, and which have leaked.
 *
 * <p>A leak is a connection whose handler has finished while its socket is still open. That is
 * the CLOSE_WAIT bug seen from inside the process: the peer closed, the handler saw end of stream
 * and returned, and nobody called {@code close()}, so the kernel keeps the socket in CLOSE_WAIT,
 * with its descriptor and buffers, until the process exits. {@link #leaks()} finds them long
 * before {@code ss} shows thousands.
 *
 * <p>Closing goes through {@link #close(TrackedConnection, CloseReason)}, which records the first
 * reason, closes the socket and updates the counts exactly once however many threads race to
 * close the same connection (its handler at end of stream, the write watchdog, a shutdown).
 * Ages use the injected clock. Thread-safe; the last 256 closed connections are kept for
 * inspection. Does not close anything by itself: policies (idle, write, shutdown) live in
 * {@link LifecycleServer} and {@link WriteWatchdog}.
 */
public final class ConnectionTracker {

    private static final System.Logger LOG = System.getLogger(ConnectionTracker.class.getName());
    private static final int RECENTLY_CLOSED_KEPT = 256;

    private final InstantSource clock;
    private final Map<Long, TrackedConnection> open = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong(1);
    private final LongAdder opened = new LongAdder();
    private final LongAdder closed = new LongAdder();
    private final Map<CloseReason, LongAdder> closedByReason = new EnumMap<>(CloseReason.class);
    private final Deque<ClosedConnection> recentlyClosed = new ArrayDeque<>();

    public ConnectionTracker(InstantSource clock) {
        this.clock = clock;
        for (CloseReason reason : CloseReason.values()) {
            closedByReason.put(reason, new LongAdder());
        }
    }

    /** Registers a just-accepted socket. */
    public TrackedConnection open(Socket socket) {
        TrackedConnection connection = new TrackedConnection(nextId.getAndIncrement(), socket, clock);
        open.put(connection.id(), connection);
        opened.increment();
        return connection;
    }

    /**
     * Closes the connection's socket and records why; later calls for the same connection only
     * make sure the socket is closed.
     */
    public void close(TrackedConnection connection, CloseReason reason) {
        if (!connection.markClosed(reason)) {
            closeQuietly(connection.socket());
            return;
        }
        ClosedConnection record = new ClosedConnection(connection.id(), connection.socket().getRemoteSocketAddress(),
                connection.age(), reason);
        open.remove(connection.id());
        closed.increment();
        closedByReason.get(reason).increment();
        synchronized (recentlyClosed) {
            if (recentlyClosed.size() == RECENTLY_CLOSED_KEPT) {
                recentlyClosed.removeFirst();
            }
            recentlyClosed.addLast(record);
        }
        // Counted before the socket closes, so that a peer that sees the close also sees the count.
        closeQuietly(connection.socket());
        LOG.log(Level.DEBUG, "connection {0} from {1} closed after {2}: {3}",
                record.id(), record.remote(), record.age(), reason);
    }

    /** Closes every open connection for {@code reason}; returns what they looked like just before. */
    public List<ConnectionSnapshot> closeAll(CloseReason reason) {
        List<ConnectionSnapshot> closing = new ArrayList<>();
        for (TrackedConnection connection : open.values()) {
            closing.add(connection.snapshot());
            close(connection, reason);
        }
        return closing;
    }

    public long opened() {
        return opened.sum();
    }

    public long closed() {
        return closed.sum();
    }

    /** Connections opened and not closed through this tracker. */
    public int active() {
        return open.size();
    }

    public long closedFor(CloseReason reason) {
        return closedByReason.get(reason).sum();
    }

    /** Every open connection, oldest first. */
    public List<ConnectionSnapshot> snapshot() {
        return open.values().stream()
                .map(TrackedConnection::snapshot)
                .sorted(Comparator.comparingLong(ConnectionSnapshot::id))
                .toList();
    }

    /** Open connections whose handler has returned with the socket still open. */
    public List<ConnectionSnapshot> leaks() {
        return snapshot().stream().filter(ConnectionSnapshot::isLeak).toList();
    }

    /** The most recently closed connections, oldest first. */
    public List<ClosedConnection> recentlyClosed() {
        synchronized (recentlyClosed) {
            return List.copyOf(recentlyClosed);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (Exception e) {
            LOG.log(Level.DEBUG, "close failed: {0}", e.toString());
        }
    }
}
