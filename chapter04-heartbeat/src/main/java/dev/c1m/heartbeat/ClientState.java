package dev.c1m.heartbeat;

import java.util.EnumSet;
import java.util.Set;

/**
 * The life of a reconnecting client's connection.
 * <pre>
 * IDLE -&gt; CONNECTING          start()
 * CONNECTING -&gt; CONNECTED     connect succeeded (the backoff resets)
 * CONNECTING -&gt; DISCONNECTED  connect failed
 * CONNECTED -&gt; DISCONNECTED   the peer was declared DEAD, closed, or the socket failed
 * DISCONNECTED -&gt; CONNECTING  the backoff delay has passed
 * DISCONNECTED -&gt; CLOSED      no attempts left
 * any state -&gt; CLOSED         close()
 * CLOSED                      terminal
 * </pre>
 */
public enum ClientState {
    IDLE, CONNECTING, CONNECTED, DISCONNECTED, CLOSED;

    /** Whether the machine may go from this state to {@code next}. */
    public boolean canMoveTo(ClientState next) {
        return successors().contains(next);
    }

    private Set<ClientState> successors() {
        return switch (this) {
            case IDLE -> EnumSet.of(CONNECTING, CLOSED);
            case CONNECTING -> EnumSet.of(CONNECTED, DISCONNECTED, CLOSED);
            case CONNECTED -> EnumSet.of(DISCONNECTED, CLOSED);
            case DISCONNECTED -> EnumSet.of(CONNECTING, CLOSED);
            case CLOSED -> EnumSet.noneOf(ClientState.class);
        };
    }
}
