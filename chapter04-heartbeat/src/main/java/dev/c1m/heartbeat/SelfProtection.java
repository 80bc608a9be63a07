package dev.c1m.heartbeat;

import java.lang.System.Logger.Level;
import java.time.Duration;

/**
 * Decides whether the connections that timed out within one window may be evicted, or whether so
 * many went silent at once that the silence more likely says something about this server (a
 * network partition, a long GC pause, a frozen VM) than about the peers. Service registries do
 * the same: Eureka stops expiring leases when fewer renewals arrive than it expects.
 *
 * <p>Rule: if at least {@code minTimeouts} connections and more than {@code maxShare} of the
 * population timed out in one window, eviction stops for {@code protectFor}, with a WARNING
 * saying why. States:
 * <pre>
 * NORMAL -&gt; PROTECTING   a window's timeouts exceed the share (and the minimum count)
 * PROTECTING -&gt; NORMAL   at the first decision after protectFor has passed (logged at INFO)
 * </pre>
 * The price is explicit: while protecting, truly dead peers stay too. If they are still silent
 * when protection ends and again exceed the share, protection engages again; an operator who
 * sees the WARNING repeat should look at the network, not at the peers.
 *
 * <p>Owned by the wheel's thread (the {@link IdleDetector} calls it there); time comes in as
 * arguments, so tests drive it by hand.
 */
public final class SelfProtection {

    private static final System.Logger LOG = System.getLogger(SelfProtection.class.getName());

    private final double maxShare;
    private final int minTimeouts;
    private final long protectForNanos;
    private boolean protecting;
    private long protectingUntilNanos;

    /**
     * @param maxShare    the largest share of the population that may time out in one window
     *                    and still be evicted, in (0, 1]
     * @param minTimeouts below this many timeouts in a window, always evict: with ten
     *                    connections, three dead peers are not a partition
     * @param protectFor  how long to stop evicting once engaged
     */
    public SelfProtection(double maxShare, int minTimeouts, Duration protectFor) {
        if (!(maxShare > 0 && maxShare <= 1)) {
            throw new IllegalArgumentException("maxShare must be in (0, 1]: " + maxShare);
        }
        if (minTimeouts < 1) {
            throw new IllegalArgumentException("minTimeouts must be positive: " + minTimeouts);
        }
        this.maxShare = maxShare;
        this.minTimeouts = minTimeouts;
        this.protectForNanos = protectFor.toNanos();
    }

    /**
     * The verdict on one window: {@code timedOut} of {@code population} connections timed out.
     *
     * @return true to evict them, false to keep them (protection is on)
     */
    public boolean allowsEviction(long nowNanos, int timedOut, int population) {
        if (protecting && nowNanos - protectingUntilNanos < 0) {
            return false;
        }
        if (protecting) {
            protecting = false;
            LOG.log(Level.INFO, "self-protection ended; evicting idle connections again");
        }
        if (timedOut >= minTimeouts && timedOut > maxShare * population) {
            protecting = true;
            protectingUntilNanos = nowNanos + protectForNanos;
            LOG.log(Level.WARNING, "self-protection engaged: {0} of {1} connections went silent within one window"
                            + " (limit {2}%); a partition or a pause on this server is likelier than that many"
                            + " dead peers, so nothing is evicted for {3} s",
                    timedOut, population, Math.round(maxShare * 100), Duration.ofNanos(protectForNanos).toSeconds());
            return false;
        }
        return true;
    }

    /** Whether eviction is suspended at {@code nowNanos}. */
    public boolean isProtecting(long nowNanos) {
        return protecting && nowNanos - protectingUntilNanos < 0;
    }
}
