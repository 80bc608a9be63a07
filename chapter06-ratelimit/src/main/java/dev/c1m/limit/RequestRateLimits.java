package dev.c1m.limit;

import dev.c1m.nio.Connection;
import dev.c1m.nio.Handler;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Request rate limits for a line protocol on chapter 5's reactor: a limit per connection (one
 * {@link RateLimiter} made for each connection) and a global one shared by every connection.
 * {@link #around(Handler.Factory)} wraps the protocol's handlers (for example chapter 5's
 * {@code LineProtocolHandler}); each line is one request. A refused line is answered with
 * {@link Refusals#RATE_LIMITED} and the connection stays open.
 *
 * <p><b>Where the decision is made.</b> When a line's first byte arrives, before the protocol
 * has seen any of it: an admitted line passes through to the protocol handler unchanged; a
 * refused line is skipped up to its newline without being buffered or decoded (so a refused
 * request costs a scan, never a copy), and its refusal is written when the newline arrives, in
 * order with the replies to the lines around it. The per-connection limiter is asked first, so
 * an abusive connection is stopped by its own limit without draining the global budget; a line
 * the global limit refuses has still spent its connection's permit.
 *
 * <p><b>Threads.</b> This object and the global limiter are shared by all reactor threads
 * (thread-safe). Each per-connection handler is confined to its connection's reactor thread, like
 * any chapter 5 handler. Allocation: one handler and one per-connection limiter per connection;
 * per request, nothing but the {@code ByteBuffer} that wraps the shared refusal line. Not
 * handled: protocols whose requests are not newline-terminated lines.
 */
public final class RequestRateLimits {

    private final Supplier<? extends RateLimiter> perConnection;
    private final RateLimiter global;
    private final LongAdder limited = new LongAdder();

    /**
     * @param perConnection makes each connection's own limiter ({@code () -> () -> true} for none)
     * @param global        shared by every connection ({@code () -> true} for none)
     */
    public RequestRateLimits(Supplier<? extends RateLimiter> perConnection, RateLimiter global) {
        this.perConnection = Objects.requireNonNull(perConnection);
        this.global = Objects.requireNonNull(global);
    }

    /** Handlers that apply these limits in front of {@code protocol}'s. */
    public Handler.Factory around(Handler.Factory protocol) {
        return connection -> new LimitedHandler(protocol.create(connection), perConnection.get());
    }

    /** Requests refused with {@code error: rate limited} so far, over all connections. */
    public long limitedRequests() {
        return limited.sum();
    }

    private boolean tryAcquire(RateLimiter own) {
        if (own.tryAcquire() && global.tryAcquire()) {
            return true;
        }
        limited.increment();
        return false;
    }

    /** One connection's handler: decides per line, passes admitted lines to the protocol. */
    private final class LimitedHandler implements Handler {

        private final Handler protocol;
        private final RateLimiter own;
        private boolean inLine;       // reactor thread only: a line has started and not ended
        private boolean lineAdmitted; // reactor thread only: the decision for that line

        LimitedHandler(Handler protocol, RateLimiter own) {
            this.protocol = protocol;
            this.own = own;
        }

        @Override
        public void onInput(Connection connection, ByteBuffer input) throws IOException {
            int end = input.limit();
            while (input.hasRemaining() && connection.state() == Connection.State.OPEN) {
                if (!inLine) {
                    inLine = true;
                    lineAdmitted = tryAcquire(own);
                }
                int newline = indexOfNewline(input);
                int lineEnd = newline < 0 ? end : newline + 1;
                if (lineAdmitted) {
                    input.limit(lineEnd);
                    protocol.onInput(connection, input); // consumes up to lineEnd
                    input.limit(end);
                } else if (newline >= 0) {
                    connection.write(Refusals.RATE_LIMITED);
                }
                input.position(lineEnd);
                if (newline >= 0) {
                    inLine = false;
                }
            }
            input.position(end); // a closing protocol handler drops the rest, as the reactor would
        }

        @Override
        public void onEndOfInput(Connection connection) throws IOException {
            if (inLine && !lineAdmitted) {
                connection.write(Refusals.RATE_LIMITED); // a refused last line without its newline
                inLine = false;
            }
            protocol.onEndOfInput(connection);
        }

        @Override
        public void onClosed(Connection connection) {
            protocol.onClosed(connection);
        }

        private static int indexOfNewline(ByteBuffer input) {
            for (int i = input.position(); i < input.limit(); i++) {
                if (input.get(i) == '\n') {
                    return i;
                }
            }
            return -1;
        }
    }
}
