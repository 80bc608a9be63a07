package dev.c1m.heartbeat;

/**
 * Told what a {@link HeartbeatClient} goes through, on the client's thread: keep it short.
 * Both methods do nothing by default.
 */
public interface HeartbeatListener extends HealthListener {

    /** The connection moved between {@link ClientState}s. */
    default void onStateChange(ClientState from, ClientState to, String reason) {
    }

    @Override
    default void onTransition(PeerState from, PeerState to, String reason) {
    }
}
