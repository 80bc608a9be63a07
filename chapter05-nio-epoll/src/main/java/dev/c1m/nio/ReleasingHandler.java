package dev.c1m.nio;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * Wraps the handler of a connection that an {@link AcceptFilter} admitted, so that the filter
 * hears of the connection's end exactly once, whatever the path:
 * <ul>
 *   <li>the connection closes: {@link #onClosed} releases after the wrapped handler's own
 *       {@code onClosed};</li>
 *   <li>the server's handler factory throws: the connection is closed without a handler (so
 *       without {@code onClosed}), and {@link #factory()} releases before rethrowing;</li>
 *   <li>the worker reactor drops the channel before adopting it (it was closing, or registration
 *       failed): the {@link Acceptor} calls {@link #releaseIfNeverAdopted()} right after the
 *       registration attempt, or {@link #release()} if the hand-off itself was refused.</li>
 * </ul>
 * The peer address is captured by the acceptor before the connection is admitted, because a
 * closed channel no longer reports it.
 *
 * <p><b>Threads.</b> Created on the acceptor's reactor thread; from the hand-off on, touched only
 * by the worker reactor's thread (the hand-off goes through the worker's task queue, which
 * orders the two). No field needs to be volatile. Not handled: a task the worker drops silently
 * because it was submitted while the worker's {@code close()} ran; {@link ReactorServer#close()}
 * closes the acceptors before the workers, so no hand-off can race with that.
 */
final class ReleasingHandler implements Handler {

    private static final System.Logger LOG = System.getLogger(ReleasingHandler.class.getName());

    // One of these lives as long as its connection, a million of them in chapter 8: the acceptor
    // (for its filter and handler factory) takes one field where the two would take two.
    private final Acceptor acceptor;
    private final InetSocketAddress remote;
    private Handler inner;
    private boolean released;

    ReleasingHandler(Acceptor acceptor, InetSocketAddress remote) {
        this.acceptor = acceptor;
        this.remote = remote;
    }

    /** The factory to register the connection with: creates the real handler inside this wrapper. */
    Handler.Factory factory() {
        return connection -> {
            try {
                inner = acceptor.handlers().create(connection);
            } catch (RuntimeException e) {
                release(); // the reactor closes the connection without calling any onClosed
                throw e;
            }
            return this;
        };
    }

    @Override
    public void onInput(Connection connection, ByteBuffer input) throws IOException {
        inner.onInput(connection, input);
    }

    @Override
    public void onEndOfInput(Connection connection) throws IOException {
        inner.onEndOfInput(connection);
    }

    @Override
    public void onClosed(Connection connection) {
        try {
            inner.onClosed(connection);
        } finally {
            release();
        }
    }

    /** After a registration attempt: releases if the reactor closed the channel without adopting it. */
    void releaseIfNeverAdopted() {
        if (inner == null) {
            release();
        }
    }

    /** Tells the filter this admitted connection is over; only the first call does anything. */
    void release() {
        if (released) {
            return;
        }
        released = true;
        try {
            acceptor.filter().released(remote);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "accept filter failed to release " + remote, e);
        }
    }
}
