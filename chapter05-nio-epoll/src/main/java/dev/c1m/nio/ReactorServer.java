package dev.c1m.nio;

import dev.c1m.echo.Uninterruptibles;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;

/**
 * A TCP server made of {@link Reactor}s and {@link Acceptor}s, in the three classic layouts:
 * <ul>
 *   <li>{@link #singleReactor}: one thread accepts and serves every connection;</li>
 *   <li>{@link #multiReactor}: one acceptor reactor hands connections round-robin to N worker
 *       reactors (Doug Lea's "multiple reactors", Netty's boss and worker groups);</li>
 *   <li>{@link #reusePort}: N reactors, each with its own listening socket bound to the same port
 *       with {@code SO_REUSEPORT}, so the kernel spreads incoming connections over them (by a
 *       hash of the address 4-tuple) and no hand-off is needed.</li>
 * </ul>
 * Threads: the reactors' threads, named {@code <name>-acceptor} and {@code <name>-<i>}; the
 * methods here may be called from any thread. {@link #close()} leaves no thread behind.
 */
public final class ReactorServer implements AutoCloseable {

    private final List<Reactor> acceptorReactors;
    private final List<Reactor> workers;
    private final List<Acceptor> acceptors;
    /** The reactor each acceptor runs on, in the order of {@link #acceptors}. */
    private final List<Reactor> acceptorOwners = new ArrayList<>();

    private ReactorServer(List<Reactor> acceptorReactors, List<Reactor> workers, List<Acceptor> acceptors) {
        this.acceptorReactors = acceptorReactors;
        this.workers = workers;
        this.acceptors = acceptors;
    }

    /** One reactor thread, {@code <name>-0}, accepts and serves. */
    public static ReactorServer singleReactor(String name, InetSocketAddress address, Handler.Factory handlers,
                                              ReactorSettings settings) throws IOException {
        return reactorsWithOwnListeners(name, address, 1, false, handlers, settings);
    }

    /** An acceptor reactor ({@code <name>-acceptor}) feeding {@code workerCount} worker reactors. */
    public static ReactorServer multiReactor(String name, InetSocketAddress address, int workerCount,
                                             Handler.Factory handlers, ReactorSettings settings) throws IOException {
        List<Reactor> workers = startReactors(name, workerCount, settings);
        Reactor acceptorReactor;
        try {
            acceptorReactor = Reactor.start(name + "-acceptor", settings);
        } catch (IOException | RuntimeException e) {
            workers.forEach(Reactor::close);
            throw e;
        }
        ReactorServer server = new ReactorServer(List.of(acceptorReactor), workers, new ArrayList<>());
        try {
            ServerSocketChannel listener = bind(address, settings.backlog(), false);
            server.addAcceptor(acceptorReactor, listener, workers, handlers, settings);
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /**
     * {@code count} reactors, each accepting on its own {@code SO_REUSEPORT} listener and serving
     * what it accepts. Other processes that bind the same address with {@code SO_REUSEPORT} (as
     * the same user) join the group, even with {@code count} 1: that is how chapter 8 spreads a
     * million connections over several processes.
     */
    public static ReactorServer reusePort(String name, InetSocketAddress address, int count,
                                          Handler.Factory handlers, ReactorSettings settings) throws IOException {
        return reactorsWithOwnListeners(name, address, count, true, handlers, settings);
    }

    private static ReactorServer reactorsWithOwnListeners(String name, InetSocketAddress address, int count,
                                                          boolean reusePort, Handler.Factory handlers,
                                                          ReactorSettings settings) throws IOException {
        List<Reactor> reactors = startReactors(name, count, settings);
        ReactorServer server = new ReactorServer(List.of(), reactors, new ArrayList<>());
        try {
            InetSocketAddress bindTo = address;
            for (Reactor reactor : reactors) {
                ServerSocketChannel listener = bind(bindTo, settings.backlog(), reusePort);
                bindTo = (InetSocketAddress) listener.getLocalAddress(); // port 0: the others join the chosen port
                server.addAcceptor(reactor, listener, List.of(reactor), handlers, settings);
            }
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    private void addAcceptor(Reactor reactor, ServerSocketChannel listener, List<Reactor> servedBy,
                             Handler.Factory handlers, ReactorSettings settings) {
        acceptors.add(Acceptor.start(reactor, listener, servedBy, handlers, settings.acceptFilter()));
        acceptorOwners.add(reactor);
    }

    private static List<Reactor> startReactors(String name, int count, ReactorSettings settings) throws IOException {
        if (count < 1) {
            throw new IllegalArgumentException("need at least one reactor, got " + count);
        }
        List<Reactor> reactors = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                reactors.add(Reactor.start(name + "-" + i, settings));
            }
        } catch (IOException | RuntimeException e) {
            reactors.forEach(Reactor::close);
            throw e;
        }
        return List.copyOf(reactors);
    }

    private static ServerSocketChannel bind(InetSocketAddress address, int backlog, boolean reusePort) throws IOException {
        ServerSocketChannel listener = ServerSocketChannel.open();
        try {
            if (reusePort) {
                listener.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            listener.bind(address, backlog);
            return listener;
        } catch (IOException | RuntimeException e) {
            listener.close();
            throw e;
        }
    }

    /** The address the server listens on (with port 0, the port the kernel chose). */
    public InetSocketAddress localAddress() {
        return acceptors.getFirst().localAddress();
    }

    /** The reactors that serve connections (for a single reactor or SO_REUSEPORT, they also accept). */
    public List<Reactor> workers() {
        return workers;
    }

    /** One acceptor per listening socket. */
    public List<Acceptor> acceptors() {
        return List.copyOf(acceptors);
    }

    /** Open connections over all workers. */
    public int connectionCount() {
        return workers.stream().mapToInt(Reactor::connectionCount).sum();
    }

    /**
     * Stops accepting new connections and returns once every listening socket is closed; open
     * connections are left alone (the first step of a graceful shutdown). Connections the kernel
     * had already queued are accepted and served first: closing a listener resets them. After this,
     * connection attempts are refused (or, with {@code SO_REUSEPORT}, go to the other processes
     * still listening on the port). Idempotent.
     */
    public void stopAccepting() {
        CountDownLatch closed = new CountDownLatch(acceptors.size());
        for (int i = 0; i < acceptors.size(); i++) {
            Acceptor acceptor = acceptors.get(i);
            try {
                acceptorOwners.get(i).execute(() -> {
                    acceptor.acceptQueuedAndClose();
                    closed.countDown();
                });
            } catch (RejectedExecutionException alreadyClosed) {
                closed.countDown();
            }
        }
        Uninterruptibles.await(closed);
    }

    /** Closes the acceptors' reactors first, so that no hand-off reaches a closed worker, then the workers. */
    @Override
    public void close() {
        acceptorReactors.forEach(Reactor::close);
        workers.forEach(Reactor::close);
    }
}
