package dev.c1m.heartbeat;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The liveness of one peer, judged from the PINGs sent to it and the PONGs that came back.
 *
 * <p>Rules (the state machine is drawn on {@link PeerState}):
 * <ul>
 *   <li>A beat is <em>missed</em> once its PING has waited longer than the {@link RttEstimator}'s
 *       timeout without a PONG.</li>
 *   <li>SUSPECT: at least one missed beat. A PONG for any outstanding PING makes the peer HEALTHY
 *       again, adds an RTT sample (matched by sequence number, so never ambiguous), and clears
 *       that PING and every older one: the peer is alive and older replies no longer matter.</li>
 *   <li>DEAD: {@code missedBeatsForDead} missed beats (default 3), or no PONG for
 *       {@code deadTimeout} since the last one (or since the connection started), whichever comes
 *       first. With PINGs every {@code interval} and timeout {@code rto}, the k-th beat is missed
 *       {@code (k - 1) * interval + rto} after the first unanswered PING was sent.</li>
 * </ul>
 *
 * <p>Time comes in as arguments ({@code nowNanos}), so tests run the rules by hand. Owned by the
 * heartbeat loop's thread; not thread-safe. Not handled: sending and receiving (see
 * {@link HeartbeatClient}).
 */
public final class PeerHealth {

    private static final int MAX_OUTSTANDING = 64;

    private final RttEstimator rtt;
    private final int missedBeatsForDead;
    private final long deadTimeoutNanos;
    private final HealthListener listener;
    private final Deque<SentPing> outstanding = new ArrayDeque<>();
    private PeerState state = PeerState.HEALTHY;
    private long lastPongNanos;
    private long nextSeq;
    private long ignoredPongs;

    private record SentPing(long seq, long sentNanos) {
    }

    public PeerHealth(RttEstimator rtt, int missedBeatsForDead, Duration deadTimeout, HealthListener listener,
                      long startNanos) {
        if (missedBeatsForDead < 1) {
            throw new IllegalArgumentException("missedBeatsForDead must be positive: " + missedBeatsForDead);
        }
        this.rtt = rtt;
        this.missedBeatsForDead = missedBeatsForDead;
        this.deadTimeoutNanos = deadTimeout.toNanos();
        this.listener = listener;
        this.lastPongNanos = startNanos;
    }

    /** Records a PING sent now and returns it, ready to send. */
    public Heartbeat nextPing(long nowNanos) {
        if (outstanding.size() == MAX_OUTSTANDING) {
            outstanding.removeFirst();
        }
        Heartbeat ping = Heartbeat.ping(nextSeq++, nowNanos);
        outstanding.addLast(new SentPing(ping.seq(), nowNanos));
        return ping;
    }

    /** Takes a PONG received now; PONGs for nothing outstanding (duplicates, forgeries) are ignored. */
    public void onPong(Heartbeat pong, long nowNanos) {
        if (state == PeerState.DEAD || !isOutstanding(pong.seq())) {
            ignoredPongs++;
            return;
        }
        SentPing answered;
        do {
            answered = outstanding.removeFirst();
        } while (answered.seq() != pong.seq());
        rtt.addSample(nowNanos - answered.sentNanos());
        lastPongNanos = nowNanos;
        moveTo(PeerState.HEALTHY, "PONG " + pong.seq() + " after " + (nowNanos - answered.sentNanos()) / 1_000 + " us");
    }

    /** Applies the rules at {@code nowNanos}; call it whenever the loop wakes up. */
    public PeerState check(long nowNanos) {
        if (state == PeerState.DEAD) {
            return state;
        }
        int missed = missedBeats(nowNanos);
        long silentNanos = nowNanos - lastPongNanos;
        if (missed >= missedBeatsForDead) {
            moveTo(PeerState.DEAD, missed + " missed beats (timeout " + rtt.timeoutNanos() / 1_000_000 + " ms each)");
        } else if (silentNanos >= deadTimeoutNanos) {
            moveTo(PeerState.DEAD, "no PONG for " + silentNanos / 1_000_000 + " ms");
        } else if (missed > 0) {
            moveTo(PeerState.SUSPECT, missed + " missed beat(s), oldest PING " + outstanding.getFirst().seq());
        }
        return state;
    }

    /**
     * The next moment at which {@link #check} could change the state without a PONG arriving:
     * the next outstanding PING to become late, or the dead timeout. The loop sleeps until then at
     * most.
     */
    public long nextDeadlineNanos(long nowNanos) {
        long next = lastPongNanos + deadTimeoutNanos;
        long timeout = rtt.timeoutNanos();
        for (SentPing ping : outstanding) {
            long late = ping.sentNanos() + timeout + 1;
            if (late - nowNanos > 0) {
                next = Math.min(next, late);
                break;
            }
        }
        return next;
    }

    public PeerState state() {
        return state;
    }

    public RttEstimator rtt() {
        return rtt;
    }

    /** PINGs sent and not answered yet. */
    public int outstandingPings() {
        return outstanding.size();
    }

    /** PONGs that matched nothing outstanding. */
    public long ignoredPongs() {
        return ignoredPongs;
    }

    private int missedBeats(long nowNanos) {
        long timeout = rtt.timeoutNanos();
        int missed = 0;
        for (SentPing ping : outstanding) {
            if (nowNanos - ping.sentNanos() > timeout) {
                missed++;
            }
        }
        return missed;
    }

    private boolean isOutstanding(long seq) {
        for (SentPing ping : outstanding) {
            if (ping.seq() == seq) {
                return true;
            }
        }
        return false;
    }

    private void moveTo(PeerState next, String reason) {
        if (state == next) {
            return;
        }
        PeerState previous = state;
        state = next;
        listener.onTransition(previous, next, reason);
    }
}
