package dev.c1m.echo.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardSocketOptions;

/**
 * A loopback port that stays this test's while no server listens on it, so that a test can stop a
 * server and start another on the same port, or point a client at a port that refuses.
 *
 * <p>A port given back to the kernel between two servers can be taken by anything that binds or
 * connects meanwhile, and the second bind then fails for no fault of the code under test. Here a
 * placeholder socket keeps the port bound for the whole test but never listens, so connects to
 * the port are refused while no listener is up. The placeholder and every listener from
 * {@link #listen()} set {@code SO_REUSEPORT}, which lets them be bound to the port together.
 *
 * <p>Not thread-safe: one test method owns it and closes it.
 */
public final class ReservedPort implements AutoCloseable {

    private static final int BACKLOG = 50;

    private final Socket placeholder;
    private final int port;

    private ReservedPort(Socket placeholder) {
        this.placeholder = placeholder;
        this.port = placeholder.getLocalPort();
    }

    /** Reserves a free port on 127.0.0.1. */
    public static ReservedPort pick() throws IOException {
        Socket placeholder = new Socket();
        try {
            placeholder.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            placeholder.setReuseAddress(true);
            placeholder.bind(new InetSocketAddress("127.0.0.1", 0));
            return new ReservedPort(placeholder);
        } catch (IOException | RuntimeException e) {
            placeholder.close();
            throw e;
        }
    }

    public InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", port);
    }

    /** A new listener on the reserved port; whoever it is given to closes it. */
    public ServerSocket listen() throws IOException {
        ServerSocket listener = new ServerSocket();
        try {
            listener.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            listener.setReuseAddress(true);
            listener.bind(address(), BACKLOG);
            return listener;
        } catch (IOException | RuntimeException e) {
            listener.close();
            throw e;
        }
    }

    @Override
    public void close() throws IOException {
        placeholder.close();
    }
}
