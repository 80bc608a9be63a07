package dev.c1m.pool;

import dev.c1m.echo.LineClient;

import java.io.EOFException;
import java.io.IOException;

/**
 * A connection to the echo server, lent by an {@link EchoConnectionPool}.
 *
 * <pre>{@code
 * try (PooledConnection connection = pool.borrow()) {
 *     String reply = connection.request("hello");     // "echo: hello"
 * }                                                   // back to the pool
 * }</pre>
 *
 * <p>A request that fails (an I/O error, or the server closing the connection) marks the
 * connection broken, and the pool closes it on release instead of lending it again: a broken
 * socket never reaches the next borrower. Using it after release throws
 * {@link IllegalStateException}; so does a second release.
 *
 * <p>Threads: one borrower at a time; the pool's fields below are guarded by the pool's lock,
 * except {@code lent} and {@code broken}, which the borrower reads and writes.
 */
public final class PooledConnection implements AutoCloseable {

    private final EchoConnectionPool pool;
    private final LineClient client;
    final long createdAtNanos;
    long lastUsedAtNanos;   // pool lock
    long borrowedAtNanos;   // pool lock
    Throwable borrowSite;   // pool lock
    boolean leakReported;   // pool lock
    private volatile boolean lent;
    private volatile boolean broken;

    PooledConnection(EchoConnectionPool pool, LineClient client, long createdAtNanos) {
        this.pool = pool;
        this.client = client;
        this.createdAtNanos = createdAtNanos;
        this.lastUsedAtNanos = createdAtNanos;
    }

    /** Sends {@code line} and returns the server's reply line. */
    public String request(String line) throws IOException {
        if (!lent) {
            throw new IllegalStateException("use after release: this connection was given back to its pool");
        }
        return exchange(line);
    }

    /** Gives the connection back (or closes it if it broke); a second call throws. */
    public void release() {
        pool.release(this);
    }

    @Override
    public void close() {
        release();
    }

    boolean isBroken() {
        return broken;
    }

    void lent(boolean lent) {
        this.lent = lent;
    }

    /** The request itself, also used by the pool's validation ping. */
    String exchange(String line) throws IOException {
        try {
            String reply = client.request(line);
            if (reply == null) {
                throw new EOFException("the server closed the connection");
            }
            return reply;
        } catch (IOException e) {
            broken = true;
            throw e;
        }
    }

    void closeSocket() {
        try {
            client.close();
        } catch (IOException e) {
            // closing a socket we are dropping anyway: nothing to do
        }
    }
}
