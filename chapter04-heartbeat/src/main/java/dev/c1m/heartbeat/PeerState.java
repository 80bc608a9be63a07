package dev.c1m.heartbeat;

/**
 * How a heartbeat sender sees its peer. See {@link PeerHealth} for the rules.
 * <pre>
 * HEALTHY -&gt; SUSPECT   a reply is later than the RTT-derived timeout (one missed beat)
 * SUSPECT -&gt; HEALTHY   any reply arrives
 * HEALTHY | SUSPECT -&gt; DEAD   k missed beats, or no reply at all for the dead timeout
 * DEAD               terminal for this connection: close it and reconnect
 * </pre>
 */
public enum PeerState { HEALTHY, SUSPECT, DEAD }
