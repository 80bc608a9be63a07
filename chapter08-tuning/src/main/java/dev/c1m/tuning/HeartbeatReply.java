package dev.c1m.tuning;

/**
 * Which answer to {@code PING <seq> <nanos>} counts as a heartbeat reply in hold mode. The
 * course's heartbeat protocol (chapter 4) answers {@code PONG <seq> <nanos>}; chapter 1's plain echo
 * server answers {@code echo: PING <seq> <nanos>}. Either way the sequence number and the sender's
 * nanos must come back unchanged.
 */
public enum HeartbeatReply {
    /** Only {@code PONG <seq> <nanos>}. */
    PONG,
    /** Only {@code echo: PING <seq> <nanos>}. */
    ECHO,
    /** Either of the two (the default, so one tool measures both kinds of server). */
    EITHER
}
