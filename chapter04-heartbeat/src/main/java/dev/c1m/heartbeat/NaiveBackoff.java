package dev.c1m.heartbeat;

import java.time.Duration;

/**
 * The mistake {@link Backoff} fixes: exponential backoff without jitter, as in most first
 * versions of a reconnect loop ({@code delay = base * 2^attempt}). Every client that lost its
 * connection at the same moment computes the same delays and reconnects at the same instants, so
 * a restarted server meets its whole population in a few synchronized waves.
 * {@code NaiveBackoffTest} measures the storm. Do not copy this class.
 */
public final class NaiveBackoff {

    private final long baseNanos;
    private final long capNanos;
    private int attempts;

    public NaiveBackoff(Duration base, Duration cap) {
        this.baseNanos = base.toNanos();
        this.capNanos = cap.toNanos();
    }

    public Duration nextDelay() {
        int attempt = attempts++;
        long delay = attempt >= 62 || baseNanos > capNanos >> attempt ? capNanos : Math.min(capNanos, baseNanos << attempt);
        return Duration.ofNanos(delay);
    }
}
