package dev.c1m.heartbeat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(10)
class PeerHealthTest {

    private static final long MS = 1_000_000;
    private static final long INTERVAL = 1_000 * MS;
    private static final long RTO = 200 * MS;

    private final List<String> transitions = new ArrayList<>();
    private final PeerHealth health = new PeerHealth(
            new RttEstimator(Duration.ofNanos(RTO), Duration.ofNanos(RTO), Duration.ofNanos(INTERVAL)),
            3, Duration.ofSeconds(10), (from, to, reason) -> transitions.add(from + "->" + to), 0);

    @Test
    void staysHealthyWhileEveryPongArrivesInTime() {
        for (long t = 0; t < 10 * INTERVAL; t += INTERVAL) {
            Heartbeat ping = health.nextPing(t);
            health.check(t + 50 * MS);
            health.onPong(ping.pong(), t + 50 * MS);
        }

        assertThat(health.check(10 * INTERVAL)).isEqualTo(PeerState.HEALTHY);
        assertThat(transitions).isEmpty();
        assertThat(health.rtt().smoothedNanos()).isEqualTo(50 * MS);
    }

    @Test
    void becomesSuspectOnceAReplyIsLaterThanTheTimeoutAndNotBefore() {
        health.nextPing(0);

        assertThat(health.check(RTO)).isEqualTo(PeerState.HEALTHY);
        assertThat(health.check(RTO + 1)).isEqualTo(PeerState.SUSPECT);
    }

    @Test
    void aLatePongMakesASuspectPeerHealthyAgain() {
        Heartbeat ping = health.nextPing(0);
        health.check(RTO + 1);

        health.onPong(ping.pong(), 500 * MS);

        assertThat(health.state()).isEqualTo(PeerState.HEALTHY);
        assertThat(transitions).containsExactly("HEALTHY->SUSPECT", "SUSPECT->HEALTHY");
    }

    @Test
    void declaresAPeerThatNeverAnswersDeadAtTheThirdMissedBeatExactly() {
        long deadAt = 2 * INTERVAL + RTO + 1;
        for (long t = 0; t < deadAt; t += MS) {
            if (t % INTERVAL == 0) {
                health.nextPing(t);
            }
            health.check(t);
        }
        assertThat(health.state()).isEqualTo(PeerState.SUSPECT);

        assertThat(health.check(deadAt)).isEqualTo(PeerState.DEAD);
        assertThat(transitions).containsExactly("HEALTHY->SUSPECT", "SUSPECT->DEAD");
    }

    @Test
    void declaresDeadAfterTheDeadTimeoutEvenWithoutEnoughBeats() {
        PeerHealth slowBeats = new PeerHealth(
                new RttEstimator(Duration.ofSeconds(20), Duration.ofSeconds(20), Duration.ofSeconds(20)),
                3, Duration.ofSeconds(10), (from, to, reason) -> transitions.add(from + "->" + to), 0);
        slowBeats.nextPing(0);

        assertThat(slowBeats.check(10_000 * MS - 1)).isEqualTo(PeerState.HEALTHY);
        assertThat(slowBeats.check(10_000 * MS)).isEqualTo(PeerState.DEAD);
    }

    @Test
    void deadIsFinalForTheConnection() {
        health.nextPing(0);
        health.check(20_000 * MS);
        Heartbeat late = health.nextPing(20_000 * MS);

        health.onPong(late.pong(), 20_001 * MS);

        assertThat(health.check(20_002 * MS)).isEqualTo(PeerState.DEAD);
    }

    @Test
    void ignoresAPongForAPingItNeverSent() {
        health.nextPing(0);

        health.onPong(new Heartbeat(Heartbeat.Kind.PONG, 99, 0), 10 * MS);

        assertThat(health.ignoredPongs()).isEqualTo(1);
        assertThat(health.rtt().samples()).isZero();
        assertThat(health.outstandingPings()).isEqualTo(1);
    }

    @Test
    void aPongClearsItsPingAndEveryOlderOne() {
        health.nextPing(0);
        health.nextPing(INTERVAL);
        Heartbeat third = health.nextPing(2 * INTERVAL);

        health.onPong(third.pong(), 2 * INTERVAL + 30 * MS);

        assertThat(health.outstandingPings()).isZero();
        assertThat(health.rtt().smoothedNanos()).isEqualTo(30 * MS);
    }

    @Test
    void nextDeadlineIsWhenTheOldestPendingPingBecomesLate() {
        health.nextPing(0);

        assertThat(health.nextDeadlineNanos(10 * MS)).isEqualTo(RTO + 1);
        assertThat(health.nextDeadlineNanos(RTO + 1)).isEqualTo(10_000 * MS);
    }
}
