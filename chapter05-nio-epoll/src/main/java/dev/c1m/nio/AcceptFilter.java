package dev.c1m.nio;

import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;

/**
 * Decides, right after {@code accept()} and before a connection is handed to a worker reactor,
 * whether it is served: the hook for admission control (chapter 6 limits connections per server,
 * per client address and per second here).
 *
 * <p><b>Life of an admitted connection.</b> For every channel {@link #admit} lets through,
 * {@link #released} is called exactly once, with the peer address it had at accept time: by its
 * {@link Connection} when it closes (after its handler's {@link Handler#onClosed}), or by its
 * worker reactor when it is dropped before it ever got a handler (the reactor was closing,
 * registration failed, the handler factory threw). So a filter that counts open connections
 * always sees its counts return to zero, whatever happens in between.
 *
 * <p><b>Two ways to say no.</b> {@link #admit} returning false is the first: the acceptor
 * closes the channel (the filter may write a short refusal to it first, best effort: the channel
 * is still in blocking mode, and a fresh socket's send buffer takes a short line without
 * blocking). {@link #holdWhileFull} is the second: before each {@code accept()} the acceptor
 * asks whether the server is full; while it is, the acceptor stops accepting (removes its
 * {@code OP_ACCEPT} interest) and the kernel's listen backlog holds the newcomers, until the
 * filter runs the {@code resume} task it was given.
 *
 * <p><b>Threads.</b> {@link #admit} and {@link #holdWhileFull} run on the acceptor's reactor
 * thread and must be fast and must not block. {@link #released} runs on whichever thread ends
 * the connection (a worker reactor, or the acceptor itself), so a counting filter must be
 * thread-safe. None of the three may throw; an exception from {@link #admit} refuses the
 * connection.
 */
@FunctionalInterface
public interface AcceptFilter {

    AcceptFilter ADMIT_ALL = channel -> true;

    /** True to serve {@code channel}, false to have it closed at once. */
    boolean admit(SocketChannel channel);

    /**
     * A connection this filter admitted has ended, or was dropped before it got a handler.
     * Called exactly once per admitted connection, with the peer address captured at accept
     * time. The default does nothing.
     */
    default void released(InetSocketAddress remote) {
    }

    /**
     * Asked before each {@code accept()}: true if the server is full and the acceptor should stop
     * accepting until {@code resume} runs. A filter that returns true must run {@code resume}
     * (once, on any thread, possibly at once) when there is room again. {@code resume} is cheap
     * and never blocks: it only queues the re-enabling of accepting on the acceptor's reactor.
     * The default never holds.
     */
    default boolean holdWhileFull(Runnable resume) {
        return false;
    }
}
