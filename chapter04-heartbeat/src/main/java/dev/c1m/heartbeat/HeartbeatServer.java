package dev.c1m.heartbeat;

import dev.c1m.echo.AcceptBackoff;
import dev.c1m.echo.TcpServer;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Chapter 1's {@link TcpServer} with heartbeats and idle detection: a {@link HeartbeatEchoHandler}
 * per connection and one {@link WheelTimer} thread ({@code <name>-wheel}) holding every
 * connection's idle timeout.
 *
 * <p>Threads: chapter 1's accept thread and one platform thread per connection, plus the wheel
 * thread, which closes idle sockets. {@link #close()} stops the server first (so no connection
 * queues work for the timer any more), then the timer. Not handled: connection limits (chapter 6).
 */
public final class HeartbeatServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(HeartbeatServer.class.getName());

    /**
     * @param idleTimeout      silence after which a connection is closed
     * @param tick             the wheel's precision: idle connections close within idleTimeout + tick
     * @param wheelSize        buckets in the wheel, a power of two
     * @param protection       self-protection, or null to evict each idle connection at once
     * @param protectionWindow the batch window self-protection judges (ignored without it)
     * @param maxLineBytes     the longest accepted line
     */
    public record Settings(Duration idleTimeout, Duration tick, int wheelSize, SelfProtection protection,
                           Duration protectionWindow, int maxLineBytes) {
    }

    private final TcpServer server;
    private final WheelTimer timer;
    private final AtomicLong idleClosed = new AtomicLong();

    private HeartbeatServer(String name, ServerSocket listener, Settings settings, LongSupplier clock) {
        this.timer = WheelTimer.start(name, settings.tick(), settings.wheelSize(), clock);
        IdleDetector<Socket> detector = new IdleDetector<>(timer.wheel(), settings.idleTimeout(),
                this::closeIdle, settings.protection(), settings.protectionWindow());
        HeartbeatEchoHandler handler = new HeartbeatEchoHandler(timer, detector, settings.maxLineBytes());
        this.server = TcpServer.start(name, listener, handler, TcpServer.platformThreadPerConnection(name + "-conn-"),
                AcceptBackoff.standard());
    }

    /** Serves on an already bound {@code listener}, which the server owns from now on. */
    public static HeartbeatServer start(String name, ServerSocket listener, Settings settings) {
        return start(name, listener, settings, System::nanoTime);
    }

    /** As above, with the idle timeouts on {@code clock} (nanoseconds): tests pass a manual one. */
    public static HeartbeatServer start(String name, ServerSocket listener, Settings settings, LongSupplier clock) {
        return new HeartbeatServer(name, listener, settings, clock);
    }

    /** Binds {@code address} (port 0 picks one) and serves. */
    public static HeartbeatServer start(String name, InetSocketAddress address, Settings settings) throws IOException {
        return start(name, TcpServer.bind(address, 0), settings);
    }

    public InetSocketAddress localAddress() {
        return server.localAddress();
    }

    public int activeConnections() {
        return server.activeConnections();
    }

    /** Connections closed for being idle since start. */
    public long idleClosed() {
        return idleClosed.get();
    }

    private void closeIdle(Socket socket, long idleNanos) {
        idleClosed.incrementAndGet();
        try {
            socket.close();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "close failed: {0}", e.toString());
        }
    }

    @Override
    public void close() {
        server.close();
        timer.close();
    }
}
