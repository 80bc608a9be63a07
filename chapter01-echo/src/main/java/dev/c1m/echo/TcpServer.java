package dev.c1m.echo;

import java.io.EOFException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A blocking TCP server: one thread accepts, and each accepted connection is handed to a
 * {@link ConnectionHandler} running on the connection executor.
 *
 * <p>With the default executor every connection gets its own platform thread, named
 * {@code echo-conn-<n>}: the Java form of Go's {@code go handle(conn)}. Chapter 3 passes other
 * executors (a fixed pool, virtual threads) to compare the models on the same server.
 *
 * <p>Threads: the accept loop runs on its own platform thread ({@code <name>-acceptor}); each
 * handler runs on whatever thread the executor gives it; the counters and the set of live sockets
 * are concurrent and may be read from any thread. {@link #close()} may be called from any thread.
 *
 * <p>Failures: an {@code accept()} failure (for example EMFILE, too many open files) is logged
 * and retried after an {@link AcceptBackoff} pause, never in a hot loop; a handler's exception
 * ends only its own connection; if the executor refuses a connection, that socket is closed and
 * the server goes on. The server logs its start at INFO before accepting anything, so that the
 * logging machinery is loaded while descriptors are still available. Not handled here: idle or write timeouts (chapter 2) and limits on the
 * number of connections (chapter 6).
 */
public final class TcpServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(TcpServer.class.getName());

    /** How long {@link #close()} waits for handlers to return once their sockets are closed. */
    private static final Duration HANDLER_EXIT_TIMEOUT = Duration.ofSeconds(10);

    private final ServerSocket listener;
    private final ConnectionHandler handler;
    private final ExecutorService connectionExecutor;
    private final AcceptBackoff acceptBackoff;
    private final Thread acceptThread;
    private final Set<Socket> liveSockets = ConcurrentHashMap.newKeySet();
    private final AtomicInteger activeConnections = new AtomicInteger();
    private final AtomicLong acceptedConnections = new AtomicLong();
    private final AtomicLong acceptFailures = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();

    private TcpServer(String name, ServerSocket listener, ConnectionHandler handler,
                      ExecutorService connectionExecutor, AcceptBackoff acceptBackoff) {
        this.listener = listener;
        this.handler = handler;
        this.connectionExecutor = connectionExecutor;
        this.acceptBackoff = acceptBackoff;
        this.acceptThread = Thread.ofPlatform().name(name + "-acceptor").unstarted(this::acceptLoop);
    }

    /**
     * Binds {@code address} (port 0 picks a free port) and serves each connection on a new
     * platform thread named {@code echo-conn-<n>}.
     */
    public static TcpServer start(InetSocketAddress address, ConnectionHandler handler) throws IOException {
        return start("echo", bind(address, 0), handler, platformThreadPerConnection("echo-conn-"),
                AcceptBackoff.standard());
    }

    /**
     * Starts serving on an already bound {@code listener}. The server owns both the listener and
     * the executor from now on and closes them in {@link #close()}.
     */
    public static TcpServer start(String name, ServerSocket listener, ConnectionHandler handler,
                                  ExecutorService connectionExecutor, AcceptBackoff acceptBackoff) {
        TcpServer server = new TcpServer(name, listener, handler, connectionExecutor, acceptBackoff);
        // Besides telling the operator, this first record makes java.util.logging open what it
        // loads lazily (its configuration, the time-zone database) while descriptors are still
        // available. Otherwise the first record written during EMFILE fails with an Error that
        // kills the accept thread: DescriptorExhaustionTest caught exactly that.
        LOG.log(Level.INFO, "{0} listening on {1}", name, listener.getLocalSocketAddress());
        server.acceptThread.start();
        return server;
    }

    /** Opens a listening socket; a {@code backlog} of 0 or less means the JDK's default (50). */
    public static ServerSocket bind(InetSocketAddress address, int backlog) throws IOException {
        ServerSocket listener = new ServerSocket();
        try {
            listener.bind(address, backlog);
            return listener;
        } catch (IOException e) {
            listener.close();
            throw e;
        }
    }

    /** An executor that starts a new platform thread, named {@code prefix<n>}, per connection. */
    public static ExecutorService platformThreadPerConnection(String prefix) {
        return Executors.newThreadPerTaskExecutor(Thread.ofPlatform().name(prefix, 1).factory());
    }

    /** The address actually bound: with port 0, this tells which port the kernel chose. */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) listener.getLocalSocketAddress();
    }

    /** Connections accepted and not yet finished. */
    public int activeConnections() {
        return activeConnections.get();
    }

    /** Connections accepted since start. */
    public long acceptedConnections() {
        return acceptedConnections.get();
    }

    /** Failed {@code accept()} calls since start. */
    public long acceptFailures() {
        return acceptFailures.get();
    }

    private void acceptLoop() {
        while (!closed.get()) {
            Socket socket;
            try {
                socket = listener.accept();
            } catch (IOException e) {
                if (closed.get()) {
                    return;
                }
                if (!pauseAfterAcceptFailure(e)) {
                    return;
                }
                continue;
            }
            if (dispatch(socket)) {
                acceptBackoff.reset();
            } else if (!pauseAfterFailure("no thread for a connection")) {
                return;
            }
        }
    }

    /** Counts and logs a failed accept, then backs off; false if the loop should stop instead. */
    private boolean pauseAfterAcceptFailure(IOException failure) {
        acceptFailures.incrementAndGet();
        return pauseAfterFailure("accept failed (" + failure.getMessage() + ")");
    }

    /** Logs what failed and backs off; false if the loop should stop instead. */
    private boolean pauseAfterFailure(String what) {
        try {
            Duration pause = acceptBackoff.pauseAfterFailure();
            LOG.log(Level.WARNING, "{0}; paused {1} ms before accepting again", what, pause.toMillis());
            return true;
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Hands the socket to the executor. An executor that refuses (a bounded pool that is full)
     * costs the connection only: it is closed at once, and the loop accepts the next. False if
     * no thread could be started: {@link OutOfMemoryError} "unable to create native thread", at
     * the process's or the user's thread limit or with no memory for another stack. The socket
     * is closed too, and the loop then pauses as after a failed accept, since the next thread
     * would most likely fail the same way.
     */
    private boolean dispatch(Socket socket) {
        acceptedConnections.incrementAndGet();
        activeConnections.incrementAndGet();
        liveSockets.add(socket);
        try {
            connectionExecutor.execute(() -> serve(socket));
            return true;
        } catch (RejectedExecutionException e) {
            LOG.log(Level.WARNING, "executor refused connection from {0}; closing it", socket.getRemoteSocketAddress());
            release(socket);
            return true;
        } catch (OutOfMemoryError e) {
            LOG.log(Level.WARNING, "no thread for the connection from {0} ({1}); closing it",
                    socket.getRemoteSocketAddress(), e.toString());
            release(socket);
            return false;
        }
    }

    private void serve(Socket socket) {
        try {
            handler.handle(socket);
        } catch (SocketException | EOFException e) {
            LOG.log(Level.DEBUG, "connection {0} ended: {1}", socket.getRemoteSocketAddress(), e.getMessage());
        } catch (IOException e) {
            LOG.log(Level.INFO, "connection {0} closed: {1}", socket.getRemoteSocketAddress(), e.getMessage());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "handler failed on " + socket.getRemoteSocketAddress(), e);
        } finally {
            release(socket);
        }
    }

    private void release(Socket socket) {
        closeQuietly(socket);
        if (liveSockets.remove(socket)) {
            activeConnections.decrementAndGet();
        }
    }

    /**
     * Stops accepting, closes every live connection, and waits for their handlers to return:
     * once this returns, the accept thread has ended and no handler runs any more; the
     * executor's own threads end right after their last task (an executor counts a task done
     * just before its thread exits). Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        closeQuietly(listener);
        acceptThread.interrupt();
        Uninterruptibles.join(acceptThread);
        liveSockets.forEach(TcpServer::closeQuietly);
        connectionExecutor.shutdown();
        awaitTermination();
    }

    private void awaitTermination() {
        if (!Uninterruptibles.awaitTermination(connectionExecutor, HANDLER_EXIT_TIMEOUT)) {
            LOG.log(Level.WARNING, "connection handlers still running {0} after close", HANDLER_EXIT_TIMEOUT);
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
