package dev.c1m.lifecycle;

/** Why a tracked connection was closed; the first reason recorded for a connection wins. */
public enum CloseReason {
    /** The peer sent FIN; every reply was sent, then the server closed. */
    PEER_CLOSED,
    /** The peer sent nothing for longer than the idle timeout. */
    IDLE_TIMEOUT,
    /** A write stayed blocked for longer than the write timeout (the peer stopped reading). */
    WRITE_TIMEOUT,
    /** The peer sent a line over the limit. */
    LINE_TOO_LONG,
    /** A read or write failed: a reset, a broken pipe. */
    IO_ERROR,
    /** Graceful shutdown closed it at a request boundary, with every request answered. */
    DRAINED,
    /** Graceful shutdown closed it by force because it was still busy when the grace period ended. */
    SHUTDOWN_FORCED
}
