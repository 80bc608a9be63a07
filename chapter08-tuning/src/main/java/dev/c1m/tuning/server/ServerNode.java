package dev.c1m.tuning.server;

import dev.c1m.lifecycle.ServerLimits;
import dev.c1m.lifecycle.ShutdownReport;
import dev.c1m.limit.AdmissionGate;
import dev.c1m.limit.ConnectionAdmission;
import dev.c1m.limit.NanoClock;
import dev.c1m.limit.Rate;
import dev.c1m.limit.RateLimiter;
import dev.c1m.limit.TokenBucket;
import dev.c1m.nio.Acceptor;
import dev.c1m.nio.Connection;
import dev.c1m.nio.Reactor;
import dev.c1m.nio.ReactorServer;
import dev.c1m.nio.ReactorSettings;
import dev.c1m.pool.BufferPool;
import dev.c1m.tuning.MetricsRegistry;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * One process of the million-connection server, composed from the course's pieces rather than
 * written anew:
 * <ul>
 *   <li>chapter 5's reactors, each on its own {@code SO_REUSEPORT} listener, so that several
 *       processes can share the port ({@link ReactorServer#reusePort});</li>
 *   <li>chapter 6's admission at accept ({@link ConnectionAdmission} behind an
 *       {@link AdmissionGate}): beyond its limits a client gets {@code error: server busy};</li>
 *   <li>chapter 4's heartbeat protocol and idle detection, on each reactor's timing wheel
 *       ({@link SessionFactory});</li>
 *   <li>chapter 7's bounded pool of direct buffers ({@link PooledBufferSource});</li>
 *   <li>chapter 2's reloadable limits and graceful shutdown ({@link #shutdown});</li>
 *   <li>part 1's metrics ({@link #registerMetrics}).</li>
 * </ul>
 * Threads: the reactors' ({@code <name>-0} ...); the methods here may be called from any thread.
 * {@link #close()} and {@link #shutdown} leave no thread behind.
 */
public final class ServerNode implements AutoCloseable {

    private static final String REFUSED_TOTAL = "c1m_refused_total";
    private static final List<ConnectionAdmission.Verdict> REFUSALS = List.of(ConnectionAdmission.Verdict.SERVER_FULL,
            ConnectionAdmission.Verdict.ADDRESS_FULL, ConnectionAdmission.Verdict.RATE_EXCEEDED);

    private static final int BUFFER_SLAB_BYTES = 256 * 1024;

    private final ReactorServer server;
    private final SessionFactory sessions;
    private final ConnectionAdmission admission;
    private final BufferPool pool;

    private ServerNode(ReactorServer server, SessionFactory sessions, ConnectionAdmission admission, BufferPool pool) {
        this.server = server;
        this.sessions = sessions;
        this.admission = admission;
        this.pool = pool;
    }

    /** Starts the reactors and listens; {@code limits} is read again for every new connection. */
    public static ServerNode start(String name, NodeSettings settings, Supplier<ServerLimits> limits) throws IOException {
        BufferPool pool = new BufferPool(name, BufferPool.Settings.defaults()
                .withSlabBytes(BUFFER_SLAB_BYTES).withMaxBytes(settings.bufferPoolBytes()));
        ConnectionAdmission admission = new ConnectionAdmission(settings.maxConnections(), settings.maxPerAddress(),
                connectRate(settings.connectsPerSecond()));
        SessionFactory sessions = new SessionFactory(limits);
        ReactorSettings reactorSettings = ReactorSettings.defaults()
                .withBufferSources(() -> new PooledBufferSource(pool))
                .withAcceptFilter(new AdmissionGate(admission, AdmissionGate.WhenFull.REPLY_BUSY))
                .withBatchWindow(settings.batchWindow());
        ReactorServer server = ReactorServer.reusePort(name, settings.address(), settings.reactors(), sessions,
                reactorSettings);
        return new ServerNode(server, sessions, admission, pool);
    }

    private static RateLimiter connectRate(int perSecond) {
        return perSecond == 0 ? () -> true : new TokenBucket(Rate.perSecond(perSecond), perSecond, NanoClock.SYSTEM);
    }

    public InetSocketAddress localAddress() {
        return server.localAddress();
    }

    public int connectionCount() {
        return server.connectionCount();
    }

    /** PINGs answered with a PONG since start. */
    public long heartbeatsAnswered() {
        return sessions.heartbeats.sum();
    }

    /** Connections the admission policy refused since start, whatever the reason. */
    public long refusedConnections() {
        return admission.refusals();
    }

    /** Connections closed because they were silent for the idle timeout. */
    public long idleClosed() {
        return sessions.idleClosed.sum();
    }

    /**
     * Idle connections kept by self-protection, because too many fell silent at once; one
     * connection kept through several windows counts each time.
     */
    public long idleSpared() {
        return sessions.idleSpared.sum();
    }

    /**
     * The connections refused at admission in an exposition of {@link #registerMetrics} (one node's,
     * or the sum over several), whatever the reason; 0 where the counter is absent.
     */
    public static long refusedIn(String exposition) {
        return REFUSALS.stream()
                .mapToLong(verdict -> (long) MetricsSum.valueOf(exposition, REFUSED_TOTAL + "{reason=\"" + reason(verdict) + "\"}").orElse(0))
                .sum();
    }

    private static String reason(ConnectionAdmission.Verdict verdict) {
        return verdict.name().toLowerCase(Locale.ROOT);
    }

    /** Adds this node's connections, accepts, refusals, heartbeats, closes (and idle connections spared), wake-ups and buffers to {@code registry}. */
    public void registerMetrics(MetricsRegistry registry) {
        registry.gauge("c1m_connections", "Open connections.", server::connectionCount);
        registry.counterFrom("c1m_accepted_total", "Connections accepted and admitted.",
                () -> server.acceptors().stream().mapToLong(Acceptor::acceptedConnections).sum());
        for (ConnectionAdmission.Verdict verdict : REFUSALS) {
            registry.counterFrom(REFUSED_TOTAL, "Connections refused at admission, by reason.",
                    () -> admission.count(verdict), "reason", reason(verdict));
        }
        registry.counterFrom("c1m_heartbeats_total", "PINGs answered with a PONG.", sessions.heartbeats::sum);
        registry.counterFrom("c1m_echoes_total", "Lines answered with an echo.", sessions.echoes::sum);
        registry.counterFrom("c1m_malformed_heartbeats_total", "Lines that looked like a heartbeat but were not.",
                sessions.malformedHeartbeats::sum);
        registry.counterFrom("c1m_idle_closed_total", "Connections closed after the idle timeout.",
                sessions.idleClosed::sum);
        registry.counterFrom("c1m_idle_spared_total",
                "Idle connections kept because too many fell silent at once (self-protection).", sessions.idleSpared::sum);
        registry.counterFrom("c1m_reactor_wake_ups_total", "Reactor turns that found ready keys.",
                () -> server.workers().stream().mapToLong(Reactor::wakeUps).sum());
        registry.counterFrom("c1m_reactor_ready_keys_total", "Ready keys the reactors handled.",
                () -> server.workers().stream().mapToLong(Reactor::readyKeys).sum());
        registry.gauge("c1m_buffer_pool_reserved_bytes", "Direct memory reserved by the buffer pool.",
                pool::reservedBytes);
        registry.counterFrom("c1m_buffer_pool_exhausted_total", "Buffer requests the pool refused.",
                pool::exhaustedCount);
    }

    /**
     * Graceful shutdown, chapter 2's rule on chapter 5's reactors: stop accepting (the queued
     * connections are accepted first, not reset), ask every connection to finish (replies already
     * due are written, then FIN; input after that is discarded until the peer closes), wait up to
     * {@code grace} for them to close, then close whatever is left. Leaves no thread behind.
     */
    public ShutdownReport shutdown(Duration grace) {
        long start = System.nanoTime();
        server.stopAccepting();
        int openAtStart = server.connectionCount();
        for (Reactor reactor : server.workers()) {
            reactor.execute(() -> reactor.forEachConnection(Connection::closeAfterFlush));
        }
        long deadline = start + grace.toNanos();
        while (server.connectionCount() > 0 && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(10_000_000);
        }
        int forceClosed = server.connectionCount();
        server.close();
        return new ShutdownReport(openAtStart, forceClosed, Duration.ofNanos(System.nanoTime() - start));
    }

    /** Closes every connection and stops at once. */
    @Override
    public void close() {
        server.close();
    }
}
