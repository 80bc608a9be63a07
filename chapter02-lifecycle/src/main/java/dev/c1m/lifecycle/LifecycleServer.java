package dev.c1m.lifecycle;

import dev.c1m.echo.AcceptBackoff;
import dev.c1m.echo.TcpServer;
import dev.c1m.echo.Uninterruptibles;

import java.io.EOFException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The echo server of chapter 1 with a managed connection lifecycle: idle timeout, write timeout,
 * a {@link ConnectionTracker} that knows every connection and why it closed, limits that may
 * change while it runs, and a graceful {@link #shutdown(Duration)}.
 *
 * <p>Why not chapter 1's {@link TcpServer}: its {@code close()} closes every connection at once,
 * which is right for a test fixture and wrong for a deploy, and its connection handlers cannot
 * learn that the server is draining, nor report a close reason. This class reuses its parts
 * instead: the accept {@link AcceptBackoff}, the per-connection thread factory, the line reader
 * and the protocol.
 *
 * <p>States, each change logged: RUNNING -> DRAINING when {@link #shutdown} begins (within one
 * tick the acceptor notices, takes the connections already waiting in the kernel's accept queue,
 * which are drained like the others, and closes the listener: later clients are refused);
 * DRAINING -> STOPPED when every connection has ended, on its own or by force after the grace
 * period. {@code shutdown} in any state but RUNNING throws {@link IllegalStateException};
 * {@link #close()} is an idempotent shutdown with no grace.
 *
 * <p>The tick: every connection reads with a socket timeout of one tick, so an idle connection's
 * thread wakes once per tick to check its idle time and the draining flag. A smaller tick makes
 * idle timeouts and drains more precise and costs more wake-ups (10 per second per idle
 * connection at the default 100 ms; chapter 5 replaces blocking threads and ticks with a
 * selector). The same tick is the accept timeout, so the acceptor notices a
 * shutdown, and the interval of the sweeper thread that runs the {@link WriteWatchdog}.
 *
 * <p>Threads: {@code <name>-acceptor} accepts; each connection runs on its own platform thread
 * {@code <name>-conn-<n>}; {@code <name>-sweeper} runs the write watchdog. State and tracker are
 * thread-safe; {@code shutdown} and {@code close} may be called from any thread, for example a
 * JVM shutdown hook. Not handled: limits on the number of connections (chapter 6), TLS.
 */
public final class LifecycleServer implements AutoCloseable {

    /** The server's life. */
    public enum State { RUNNING, DRAINING, STOPPED }

    /** The default tick: how often idle connections wake to check timeouts and shutdown. */
    public static final Duration DEFAULT_TICK = Duration.ofMillis(100);

    private static final System.Logger LOG = System.getLogger(LifecycleServer.class.getName());
    private static final Duration HANDLER_EXIT_TIMEOUT = Duration.ofSeconds(10);
    /** The longest the acceptor keeps taking queued connections after shutdown began. */
    private static final Duration QUEUE_DRAIN_LIMIT = Duration.ofSeconds(1);

    private final String name;
    private final ServerSocket listener;
    private final Supplier<ServerLimits> limits;
    private final Duration tick;
    private final ConnectionTracker tracker;
    private final WriteWatchdog watchdog;
    private final AcceptBackoff acceptBackoff = AcceptBackoff.standard();
    private final ExecutorService connectionThreads;
    private final ScheduledExecutorService sweeper;
    private final Thread acceptThread;
    private final AtomicReference<State> state = new AtomicReference<>(State.RUNNING);

    private LifecycleServer(String name, ServerSocket listener, Supplier<ServerLimits> limits, InstantSource clock,
                            Duration tick) {
        this.name = name;
        this.listener = listener;
        this.limits = limits;
        this.tick = tick;
        this.tracker = new ConnectionTracker(clock);
        this.watchdog = new WriteWatchdog(clock);
        this.connectionThreads = TcpServer.platformThreadPerConnection(name + "-conn-");
        this.sweeper = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name(name + "-sweeper").factory());
        this.acceptThread = Thread.ofPlatform().name(name + "-acceptor").unstarted(this::acceptLoop);
    }

    /**
     * Starts serving on {@code listener}, which the server owns from now on.
     *
     * @param limits read once per accepted connection, so a change applies to later connections
     * @param clock  the time source for idle and write timeouts and connection ages
     * @param tick   the socket read timeout and sweep interval (see the class comment)
     */
    public static LifecycleServer start(String name, ServerSocket listener, Supplier<ServerLimits> limits,
                                        InstantSource clock, Duration tick) {
        if (tick.isNegative() || tick.isZero()) {
            throw new IllegalArgumentException("tick must be positive: " + tick);
        }
        LifecycleServer server = new LifecycleServer(name, listener, limits, clock, tick);
        LOG.log(Level.INFO, "{0} listening on {1} with {2}, tick {3} ms", name, listener.getLocalSocketAddress(),
                limits.get(), tick.toMillis());
        server.setAcceptTimeout(Math.toIntExact(tick.toMillis()));
        server.sweeper.scheduleWithFixedDelay(server.watchdog::sweep, tick.toMillis(), tick.toMillis(),
                TimeUnit.MILLISECONDS);
        server.acceptThread.start();
        return server;
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) listener.getLocalSocketAddress();
    }

    public State state() {
        return state.get();
    }

    public ConnectionTracker tracker() {
        return tracker;
    }

    /**
     * Accepts until shutdown begins, then accepts what the kernel has already queued (those
     * clients have completed their handshake and may have sent requests) until the queue is
     * empty or {@link #QUEUE_DRAIN_LIMIT} has passed, and closes the listener.
     */
    private void acceptLoop() {
        try {
            acceptUntilDrained();
        } finally {
            closeQuietly(listener); // whatever ended the loop, no client may connect to a listener nobody accepts on
        }
    }

    private void acceptUntilDrained() {
        long queueDrainDeadline = 0;
        while (true) {
            boolean draining = state.get() != State.RUNNING;
            if (draining && queueDrainDeadline == 0) {
                queueDrainDeadline = System.nanoTime() + QUEUE_DRAIN_LIMIT.toNanos();
                setAcceptTimeout(1);
            }
            if (draining && System.nanoTime() - queueDrainDeadline > 0) {
                break;
            }
            try {
                Socket socket = listener.accept();
                if (dispatch(socket)) {
                    acceptBackoff.reset();
                } else if (!pauseAfterFailure("no thread for a connection")) {
                    break;
                }
            } catch (SocketTimeoutException nothingQueued) {
                if (draining) {
                    break;
                }
            } catch (IOException e) {
                if (listener.isClosed() || !pauseAfterAcceptFailure(e)) {
                    break;
                }
            }
        }
    }

    private void setAcceptTimeout(int millis) {
        try {
            listener.setSoTimeout(millis);
        } catch (SocketException e) {
            LOG.log(Level.DEBUG, "cannot set accept timeout: {0}", e.toString());
        }
    }

    private boolean pauseAfterAcceptFailure(IOException failure) {
        return pauseAfterFailure("accept failed (" + failure.getMessage() + ")");
    }

    private boolean pauseAfterFailure(String what) {
        try {
            Duration pause = acceptBackoff.pauseAfterFailure();
            LOG.log(Level.WARNING, "{0}; paused {1} ms", what, pause.toMillis());
            return true;
        } catch (InterruptedException interrupted) {
            return false;
        }
    }

    /**
     * Hands the connection to a thread of its own. False if none could be started (a thread or
     * memory limit: {@code OutOfMemoryError: unable to create native thread}): the connection is
     * then closed, and the loop pauses as after a failed accept instead of dying.
     */
    private boolean dispatch(Socket socket) {
        TrackedConnection connection = tracker.open(socket);
        ServerLimits connectionLimits = limits.get();
        try {
            connectionThreads.execute(() -> serve(connection, connectionLimits));
            return true;
        } catch (RejectedExecutionException e) {
            tracker.close(connection, CloseReason.IO_ERROR);
            return true;
        } catch (OutOfMemoryError e) {
            LOG.log(Level.WARNING, "no thread for the connection from {0} ({1}); closing it",
                    socket.getRemoteSocketAddress(), e.toString());
            tracker.close(connection, CloseReason.IO_ERROR);
            return false;
        }
    }

    private void serve(TrackedConnection connection, ServerLimits connectionLimits) {
        Socket socket = connection.socket();
        CloseReason reason = CloseReason.IO_ERROR;
        try {
            socket.setSoTimeout(Math.toIntExact(tick.toMillis()));
            reason = new EchoSession(socket, connection, connectionLimits, watchdog,
                    () -> tracker.close(connection, CloseReason.WRITE_TIMEOUT),
                    () -> state.get() != State.RUNNING).run();
        } catch (SocketException | EOFException e) {
            LOG.log(Level.DEBUG, "connection {0} ended: {1}", connection.id(), e.getMessage());
        } catch (IOException e) {
            LOG.log(Level.INFO, "connection {0} failed: {1}", connection.id(), e.getMessage());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "handler failed on connection " + connection.id(), e);
        } finally {
            connection.markHandlerFinished();
            tracker.close(connection, reason);
        }
    }

    /**
     * Stops accepting, lets every connection finish the request it is in and answer everything
     * it has received, and closes each at its next request boundary; force-closes (and logs)
     * whatever is still open after {@code grace}. Returns when no connection thread is left.
     *
     * @throws IllegalStateException if a shutdown has already begun
     */
    public ShutdownReport shutdown(Duration grace) {
        if (!state.compareAndSet(State.RUNNING, State.DRAINING)) {
            throw new IllegalStateException(name + " cannot shut down: it is already " + state.get());
        }
        long started = System.nanoTime();
        long closedBefore = tracker.closed();
        Uninterruptibles.join(acceptThread);
        // Open when shutdown began, plus those taken from the accept queue since (some may be done already).
        int openAtStart = Math.toIntExact(tracker.opened() - closedBefore);
        LOG.log(Level.INFO, "{0} draining {1} connection(s), grace {2} ms", name, openAtStart, grace.toMillis());
        connectionThreads.shutdown();
        List<ConnectionSnapshot> forced = List.of();
        if (!awaitConnectionThreads(grace)) {
            forced = tracker.closeAll(CloseReason.SHUTDOWN_FORCED);
            forced.forEach(c -> LOG.log(Level.WARNING, "force-closed connection {0} from {1}, open {2} ms, after grace",
                    c.id(), c.remote(), c.age().toMillis()));
            if (!awaitConnectionThreads(HANDLER_EXIT_TIMEOUT)) {
                LOG.log(Level.WARNING, "connection threads still running {0} after force-close", HANDLER_EXIT_TIMEOUT);
            }
        }
        sweeper.shutdownNow();
        awaitQuietly(sweeper);
        state.set(State.STOPPED);
        ShutdownReport report = new ShutdownReport(openAtStart, forced.size(),
                Duration.ofNanos(System.nanoTime() - started));
        LOG.log(Level.INFO, "{0} stopped: {1} connection(s) drained, {2} force-closed, in {3} ms", name,
                openAtStart - forced.size(), forced.size(), report.took().toMillis());
        return report;
    }

    /** Shuts down with no grace if still running; otherwise does nothing. */
    @Override
    public void close() {
        if (state.get() == State.RUNNING) {
            try {
                shutdown(Duration.ZERO);
            } catch (IllegalStateException lostTheRace) {
                // another thread began the shutdown first
            }
        }
    }

    private boolean awaitConnectionThreads(Duration timeout) {
        return Uninterruptibles.awaitTermination(connectionThreads, timeout);
    }

    private static void awaitQuietly(ExecutorService executor) {
        try {
            executor.awaitTermination(HANDLER_EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            LOG.log(Level.DEBUG, "close failed: {0}", e.toString());
        }
    }
}
