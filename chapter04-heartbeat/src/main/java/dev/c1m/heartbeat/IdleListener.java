package dev.c1m.heartbeat;

/**
 * What to do with a connection that had no traffic for the whole idle timeout: usually, close it.
 * Called on the wheel's thread, so it must not block: closing a socket is fine, writing a
 * farewell line to a peer that may not read is not.
 */
@FunctionalInterface
public interface IdleListener<C> {

    void onIdle(C connection, long idleNanos);
}
