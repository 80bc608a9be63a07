package dev.c1m.heartbeat;

import java.time.Duration;

/**
 * A smoothed round-trip time and its variance, and the timeout derived from them, as TCP computes
 * its retransmission timeout (RFC 6298, section 2):
 *
 * <pre>
 * first sample R:   SRTT = R               RTTVAR = R / 2
 * later sample R:   RTTVAR = 3/4 RTTVAR + 1/4 |SRTT - R|      (beta  = 1/4, updated first)
 *                   SRTT   = 7/8 SRTT   + 1/8 R               (alpha = 1/8)
 * timeout:          RTO = SRTT + max(G, 4 RTTVAR), clamped to [floor, ceiling]
 * </pre>
 *
 * <p>The mean follows the delay the peer usually answers in; the variance widens the timeout when
 * answers jitter and narrows it when they are steady, which a fixed multiple of the mean (the
 * seeds' "3x average RTT") cannot do. The floor keeps a fast, steady link from producing a
 * timeout smaller than a GC pause or a scheduling hiccup on either end; G is the clock
 * granularity (here the heartbeat loop's, 1 ms). Before the first sample the timeout is
 * {@code initial}.
 *
 * <p>Samples must come from unambiguous exchanges (Karn's rule): a PONG matched by sequence number
 * to the one PING it answers, never from a retransmission. Owned by one thread (the heartbeat
 * loop); not thread-safe.
 */
public final class RttEstimator {

    private static final long GRANULARITY_NANOS = 1_000_000;

    private final long initialNanos;
    private final long floorNanos;
    private final long ceilingNanos;
    private long smoothedNanos;
    private long varianceNanos;
    private long samples;

    public RttEstimator(Duration initial, Duration floor, Duration ceiling) {
        if (floor.isNegative() || ceiling.compareTo(floor) < 0) {
            throw new IllegalArgumentException("need 0 <= floor <= ceiling: " + floor + ", " + ceiling);
        }
        this.initialNanos = initial.toNanos();
        this.floorNanos = floor.toNanos();
        this.ceilingNanos = ceiling.toNanos();
    }

    /** Adds one round-trip measurement. */
    public void addSample(long rttNanos) {
        if (rttNanos < 0) {
            throw new IllegalArgumentException("negative round trip: " + rttNanos);
        }
        if (samples == 0) {
            smoothedNanos = rttNanos;
            varianceNanos = rttNanos / 2;
        } else {
            varianceNanos = varianceNanos - varianceNanos / 4 + Math.abs(smoothedNanos - rttNanos) / 4;
            smoothedNanos = smoothedNanos - smoothedNanos / 8 + rttNanos / 8;
        }
        samples++;
    }

    /** The timeout a reply may take before it counts as late. */
    public long timeoutNanos() {
        long raw = samples == 0 ? initialNanos : smoothedNanos + Math.max(GRANULARITY_NANOS, 4 * varianceNanos);
        return Math.clamp(raw, floorNanos, ceilingNanos);
    }

    /** SRTT, or 0 before the first sample. */
    public long smoothedNanos() {
        return smoothedNanos;
    }

    /** RTTVAR, or 0 before the first sample. */
    public long varianceNanos() {
        return varianceNanos;
    }

    public long samples() {
        return samples;
    }
}
