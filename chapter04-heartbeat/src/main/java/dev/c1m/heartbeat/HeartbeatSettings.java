package dev.c1m.heartbeat;

import java.time.Duration;

/**
 * The knobs of a {@link HeartbeatClient}, with the defaults of {@link #defaults()}.
 *
 * @param interval           time between PINGs (3 s)
 * @param missedBeatsForDead missed beats that make the peer DEAD (3)
 * @param deadTimeout        no PONG for this long makes the peer DEAD whatever the beats (10 s)
 * @param initialTimeout     a reply's timeout before the first RTT sample (1 s, RFC 6298's initial RTO)
 * @param timeoutFloor       the RTT-derived timeout never goes below this (200 ms)
 * @param timeoutCeiling     ... nor above this (the interval: a later reply overlaps the next beat)
 * @param connectTimeout     a connect attempt gives up after this (2 s)
 * @param backoffBase        the first reconnect delay's upper bound (100 ms)
 * @param backoffCap         the longest reconnect delay (30 s)
 * @param maxAttempts        reconnect attempts that may fail in a row before the client gives up (unlimited)
 */
public record HeartbeatSettings(Duration interval, int missedBeatsForDead, Duration deadTimeout,
                                Duration initialTimeout, Duration timeoutFloor, Duration timeoutCeiling,
                                Duration connectTimeout, Duration backoffBase, Duration backoffCap,
                                int maxAttempts) {

    public static HeartbeatSettings defaults() {
        return new HeartbeatSettings(Duration.ofSeconds(3), 3, Duration.ofSeconds(10), Duration.ofSeconds(1),
                Duration.ofMillis(200), Duration.ofSeconds(3), Duration.ofSeconds(2), Duration.ofMillis(100),
                Duration.ofSeconds(30), Integer.MAX_VALUE);
    }

    public HeartbeatSettings withInterval(Duration interval) {
        return new HeartbeatSettings(interval, missedBeatsForDead, deadTimeout, initialTimeout, timeoutFloor,
                timeoutCeiling, connectTimeout, backoffBase, backoffCap, maxAttempts);
    }

    public HeartbeatSettings withTimeouts(Duration initial, Duration floor, Duration ceiling, Duration dead) {
        return new HeartbeatSettings(interval, missedBeatsForDead, dead, initial, floor, ceiling, connectTimeout,
                backoffBase, backoffCap, maxAttempts);
    }

    public HeartbeatSettings withBackoff(Duration base, Duration cap, int attempts) {
        return new HeartbeatSettings(interval, missedBeatsForDead, deadTimeout, initialTimeout, timeoutFloor,
                timeoutCeiling, connectTimeout, base, cap, attempts);
    }

    RttEstimator newRttEstimator() {
        return new RttEstimator(initialTimeout, timeoutFloor, timeoutCeiling);
    }
}
