package dev.c1m.lifecycle;

import dev.c1m.echo.ConnectionHandler;
import dev.c1m.echo.TcpServer;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.InstantSource;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * THE MISTAKE THIS CHAPTER TEACHES, kept to be looked at: a server whose connection task runs the
 * handler and forgets to close the socket afterwards (in Go: a handler without
 * {@code defer conn.Close()}).
 *
 * <p>Everything seems to work: replies arrive, the handler returns at end of stream. But the
 * socket is never closed, so after the peer closes, the kernel holds it in CLOSE_WAIT (it is
 * waiting for this process to close its half) with its descriptor, until the process exits.
 * Under steady traffic the server dies of "Too many open files" days later. The test
 * {@code NaiveForgetfulServerTest} shows CLOSE_WAIT in the kernel's table and the leak in the
 * {@link ConnectionTracker}; {@link LifecycleServer} closes in a {@code finally}.
 *
 * <p>Threads: one accept thread, one platform thread per connection. {@link #close()} closes the
 * listener and, so that tests leave nothing behind, the leaked sockets too.
 */
public final class NaiveForgetfulServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(NaiveForgetfulServer.class.getName());

    private final ServerSocket listener;
    private final ConnectionHandler handler;
    private final ConnectionTracker tracker;
    private final ExecutorService connectionThreads = TcpServer.platformThreadPerConnection("naive-conn-");
    private final Thread acceptThread;

    public NaiveForgetfulServer(ServerSocket listener, ConnectionHandler handler, InstantSource clock) {
        this.listener = listener;
        this.handler = handler;
        this.tracker = new ConnectionTracker(clock);
        this.acceptThread = Thread.ofPlatform().name("naive-acceptor").start(this::acceptLoop);
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) listener.getLocalSocketAddress();
    }

    public ConnectionTracker tracker() {
        return tracker;
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket socket = listener.accept();
                TrackedConnection connection = tracker.open(socket);
                connectionThreads.execute(() -> serve(connection));
            } catch (IOException e) {
                LOG.log(Level.DEBUG, "accept loop ends: {0}", e.toString());
            }
        }
    }

    private void serve(TrackedConnection connection) {
        try {
            handler.handle(connection.socket());
        } catch (IOException e) {
            LOG.log(Level.INFO, "connection {0} failed: {1}", connection.id(), e.getMessage());
        } finally {
            connection.markHandlerFinished();
            // BUG: no close here. The fix is tracker.close(connection, reason), or try-with-resources.
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        listener.close();
        acceptThread.join();
        tracker.closeAll(CloseReason.IO_ERROR);
        connectionThreads.shutdown();
        connectionThreads.awaitTermination(10, TimeUnit.SECONDS);
    }
}
