package dev.c1m.heartbeat;

/** Told about each {@link PeerState} transition, on the thread that runs the heartbeat loop. */
@FunctionalInterface
public interface HealthListener {

    void onTransition(PeerState from, PeerState to, String reason);
}
