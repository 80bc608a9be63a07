package dev.c1m.nio;

import java.nio.channels.SocketChannel;

/**
 * Decides, right after {@code accept()} and before a connection is handed to a worker reactor,
 * whether it is served: the hook for admission control (chapter 6 limits connections per server
 * and per client address here).
 *
 * <p>Called on the acceptor's reactor thread, so it must be fast and must not block. A refused
 * channel is closed by the {@link Acceptor}; the filter may write a short refusal to it first
 * (best effort: the channel is still in blocking mode, and a fresh socket's send buffer takes a
 * short line without blocking). A filter that counts admitted connections learns of their end in
 * its {@link Handler#onClosed}, for example by wrapping the server's {@link Handler.Factory}.
 */
@FunctionalInterface
public interface AcceptFilter {

    AcceptFilter ADMIT_ALL = channel -> true;

    /** True to serve {@code channel}, false to have it closed at once. */
    boolean admit(SocketChannel channel);
}
