package dev.c1m.pool;

/**
 * The {@link BufferPool} has reached its memory bound and has no free buffer of the requested
 * class. It never waits: an event loop must not block, so the caller decides (stop reading from
 * this connection until buffers come back, answer "busy", close the connection).
 */
public final class BufferPoolExhaustedException extends RuntimeException {

    public BufferPoolExhaustedException(String message) {
        super(message);
    }
}
