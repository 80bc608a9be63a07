package dev.c1m.nio;

import dev.c1m.echo.AcceptBackoff;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;

/**
 * Accepts connections on one listening channel, registered for {@code OP_ACCEPT} on a
 * {@link Reactor}, and hands each admitted connection to the next worker reactor, round-robin.
 * Doug Lea's "Acceptor".
 *
 * <p>The workers may include the acceptor's own reactor (a single-reactor server, or each of the
 * {@code SO_REUSEPORT} acceptors) or not (the acceptor-plus-workers server). Hand-off to another
 * reactor goes through {@link Reactor#register}: its lock-free task queue and a wake-up.
 *
 * <p><b>Admission.</b> Each accepted channel goes through the server's {@link AcceptFilter}. A
 * refused channel is closed here. An admitted one is registered on its worker together with the
 * filter and its peer address, so that the filter's {@link AcceptFilter#released} runs exactly
 * once for it: from its {@link Connection} when it closes, or from the worker reactor if the
 * connection is dropped before it gets a handler (no wrapper object per connection). The peer address
 * and {@code TCP_NODELAY} are taken before the filter is asked, so a peer that is already gone
 * is dropped before it is ever admitted. Before each {@code accept()}, the filter may also say
 * the server is full ({@link AcceptFilter#holdWhileFull}): the acceptor then removes its
 * {@code OP_ACCEPT} interest, the kernel's backlog holds the newcomers, and accepting resumes
 * when the filter runs the resume task (handed back to this reactor with
 * {@link Reactor#execute}).
 *
 * <p>Failures: when {@code accept()} fails (EMFILE, too many open files, is the usual cause), the
 * listening socket would stay readable and a level-triggered selector would report it on every
 * loop, a busy spin. The acceptor therefore removes its {@code OP_ACCEPT} interest, waits for an
 * {@link AcceptBackoff} pause on a virtual thread, and re-enables it through the reactor's task
 * queue. A resume (after the pause, or when a full server has room again) only re-enables
 * {@code OP_ACCEPT}: the next readiness event asks the filter again, so a stale resume costs one
 * wake-up. Threads: all methods run on the acceptor's reactor thread; the counters can be read
 * from any thread.
 */
public final class Acceptor {

    private static final System.Logger LOG = System.getLogger(Acceptor.class.getName());
    /** Accepts per readiness event, so that a connect storm cannot starve a shared reactor. */
    private static final int MAX_ACCEPTS_PER_EVENT = 64;

    private final Reactor reactor;
    private final ServerSocketChannel listener;
    private final List<Reactor> workers;
    private final Handler.Factory handlers;
    private final AcceptFilter filter;
    private final AcceptBackoff backoff = AcceptBackoff.standard();
    /** Given to the filter when it holds accepting: hands the resume back to this reactor. */
    private final Runnable resumeWhenRoom = this::queueResume;
    private SelectionKey key;
    private int nextWorker;
    private volatile long accepted;
    private volatile long refused;
    private volatile long failures;
    private volatile long holds;

    private Acceptor(Reactor reactor, ServerSocketChannel listener, List<Reactor> workers,
                     Handler.Factory handlers, AcceptFilter filter) {
        this.reactor = reactor;
        this.listener = listener;
        this.workers = List.copyOf(workers);
        this.handlers = handlers;
        this.filter = filter;
    }

    /**
     * Starts accepting on {@code listener} (already bound) from {@code reactor}'s thread. The
     * acceptor owns the listener from now on.
     */
    static Acceptor start(Reactor reactor, ServerSocketChannel listener, List<Reactor> workers,
                          Handler.Factory handlers, AcceptFilter filter) {
        Acceptor acceptor = new Acceptor(reactor, listener, workers, handlers, filter);
        reactor.execute(() -> {
            try {
                reactor.listen(listener, acceptor);
            } catch (IOException e) {
                LOG.log(Level.ERROR, "cannot listen: {0}", e.toString());
                acceptor.close();
            }
        });
        return acceptor;
    }

    /** The address the listener is bound to. */
    public InetSocketAddress localAddress() {
        try {
            return (InetSocketAddress) listener.getLocalAddress();
        } catch (IOException e) {
            throw new IllegalStateException("listener closed", e);
        }
    }

    /** Connections accepted, admitted and handed to a worker (which drops them if it is closing). */
    public long acceptedConnections() {
        return accepted;
    }

    /** Connections the {@link AcceptFilter} refused. */
    public long refusedConnections() {
        return refused;
    }

    /** Failed {@code accept()} calls. */
    public long acceptFailures() {
        return failures;
    }

    /** How many times the filter said the server was full and accepting stopped. */
    public long holdsWhileFull() {
        return holds;
    }

    void registered(SelectionKey key) {
        this.key = key;
    }

    void onAcceptable() {
        assert reactor.inReactorThread();
        for (int i = 0; i < MAX_ACCEPTS_PER_EVENT; i++) {
            if (holdWhileFull()) {
                return;
            }
            SocketChannel channel;
            try {
                channel = listener.accept();
            } catch (IOException e) {
                pauseAccepting(e);
                return;
            }
            if (channel == null) {
                return;
            }
            backoff.reset();
            dispatch(channel);
        }
    }

    private boolean holdWhileFull() {
        boolean full;
        try {
            full = filter.holdWhileFull(resumeWhenRoom);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "accept filter failed; accepting anyway", e);
            return false;
        }
        if (full) {
            holds++;
            key.interestOps(0); // the resume task is queued on this thread, so it runs after this
        }
        return full;
    }

    private void dispatch(SocketChannel channel) {
        InetSocketAddress remote;
        try {
            remote = (InetSocketAddress) channel.getRemoteAddress();
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        } catch (IOException e) {
            closeQuietly(channel); // the peer is already gone: nothing to admit
            return;
        }
        if (!admit(channel)) {
            refused++;
            closeQuietly(channel);
            return;
        }
        Reactor worker = workers.get(nextWorker);
        nextWorker = (nextWorker + 1) % workers.size();
        worker.register(channel, handlers, filter, remote); // the worker releases the admission, whatever happens
        accepted++;
    }

    private boolean admit(SocketChannel channel) {
        try {
            return filter.admit(channel);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "accept filter failed; refusing the connection", e);
            return false;
        }
    }

    private void pauseAccepting(IOException failure) {
        failures++;
        key.interestOps(0);
        Thread.ofVirtual().name(reactor.name() + "-accept-backoff").start(() -> {
            try {
                Duration pause = backoff.pauseAfterFailure();
                LOG.log(Level.WARNING, "accept failed ({0}); paused {1} ms before accepting again",
                        failure.getMessage(), pause.toMillis());
                reactor.execute(this::resumeAccepting);
            } catch (InterruptedException | RejectedExecutionException e) {
                // the server is closing: nothing to resume
            }
        });
    }

    /** Called by the filter, on any thread, once a full server has room again. */
    private void queueResume() {
        try {
            reactor.execute(this::resumeAccepting);
        } catch (RejectedExecutionException e) {
            // the server is closing: nothing to resume
        }
    }

    private void resumeAccepting() {
        if (key.isValid()) {
            key.interestOps(SelectionKey.OP_ACCEPT);
        }
    }

    /**
     * Stops accepting gracefully, on the reactor thread: first accepts the connections the kernel
     * has already queued for this listener (closing it would reset them), then closes it.
     */
    void acceptQueuedAndClose() {
        assert reactor.inReactorThread();
        try {
            SocketChannel channel;
            while (listener.isOpen() && (channel = listener.accept()) != null) {
                dispatch(channel);
            }
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "accept while closing failed: {0}", e.toString());
        }
        close();
        reactor.releaseClosedChannels(); // a registered channel's socket closes only then
    }

    /** Stops accepting: closes the listener. Call on the reactor thread, or after it ended. */
    void close() {
        closeQuietly(listener);
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            LOG.log(Level.DEBUG, "close failed: {0}", e.toString());
        }
    }
}
