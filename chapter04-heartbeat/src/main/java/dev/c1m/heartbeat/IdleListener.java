package dev.c1m.heartbeat;

/**
 * What to do with a connection that had no traffic for the whole idle timeout: usually, close it.
 * Called on the wheel's thread, so it must not block: closing a socket is fine, writing a
 * farewell line to a peer that may not read is not.
 */
@FunctionalInterface
public interface IdleListener<C> {

    void onIdle(C connection, long idleNanos);

    /**
     * A connection idle for the whole timeout that a {@link SelfProtection} keeps, because too
     * many fell silent in the same window; it is watched for one more timeout. The default does
     * nothing; a server counts these, since they say that it, or the network, is more likely
     * the one in trouble than its peers.
     */
    default void onSpared(C connection, long idleNanos) {
    }
}
