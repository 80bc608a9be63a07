package dev.c1m.lifecycle;

import java.net.SocketAddress;
import java.time.Duration;

/**
 * One open connection as the {@link ConnectionTracker} saw it at one moment.
 *
 * @param id              the tracker's number for it, in accept order from 1
 * @param remote          the peer's address
 * @param age             time since it was opened
 * @param idle            time since its last byte in either direction
 * @param wakeups         how often its thread woke from a read with nothing to read (see
 *                        {@link LifecycleServer}'s tick)
 * @param handlerFinished whether the code serving it has returned
 * @param socketOpen      whether its socket is still open
 */
public record ConnectionSnapshot(long id, SocketAddress remote, Duration age, Duration idle, long wakeups,
                                 boolean handlerFinished, boolean socketOpen) {

    /** A handler that returned without closing its socket: the bug that leaves CLOSE_WAIT behind. */
    public boolean isLeak() {
        return handlerFinished && socketOpen;
    }
}
