package dev.c1m.heartbeat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(10)
class IdleDetectorTest {

    private static final long MS = 1_000_000;
    private static final long TICK = 10 * MS;
    private static final long TIMEOUT = 1_000 * MS;

    private long now = 0;
    private final TimingWheel wheel = new TimingWheel(Duration.ofNanos(TICK), 64, now);
    private final Map<String, Long> closedAt = new LinkedHashMap<>();
    private final IdleDetector<String> detector =
            new IdleDetector<>(wheel, Duration.ofNanos(TIMEOUT), (connection, idle) -> closedAt.put(connection, now));

    private void advanceTo(long nanos) {
        while (now < nanos) {
            now = Math.min(nanos, now + MS);
            wheel.expire(now);
        }
    }

    @Test
    void closesASilentConnectionNoEarlierThanTheTimeoutAndWithinOneTickAfter() {
        detector.track("silent", now);

        advanceTo(TIMEOUT - 1);
        assertThat(closedAt).isEmpty();

        advanceTo(TIMEOUT + TICK);
        assertThat(closedAt).containsOnlyKeys("silent");
        assertThat(closedAt.get("silent")).isBetween(TIMEOUT, TIMEOUT + TICK);
    }

    @Test
    void measuresSilenceFromTheLastActivityNotFromTheStart() {
        IdleTracker<String> tracker = detector.track("talks-once", now);
        advanceTo(700 * MS);
        tracker.recordActivity(now);

        advanceTo(700 * MS + TIMEOUT - 1);
        assertThat(closedAt).isEmpty();
        advanceTo(700 * MS + TIMEOUT + TICK);
        assertThat(closedAt.get("talks-once")).isBetween(700 * MS + TIMEOUT, 700 * MS + TIMEOUT + TICK);
    }

    @Test
    void neverClosesAConnectionThatSpeaksWithinEveryTimeout() {
        IdleTracker<String> tracker = detector.track("chatty", now);
        for (int second = 0; second < 60; second++) {
            advanceTo(now + 900 * MS);
            tracker.recordActivity(now);
        }

        assertThat(closedAt).isEmpty();
        assertThat(detector.trackedCount()).isEqualTo(1);
    }

    @Test
    void rearmsOncePerTimeoutPeriodHoweverManyMessagesArrive() {
        IdleTracker<String> tracker = detector.track("busy", now);
        for (int message = 0; message < 10_000; message++) {
            now += MS / 2;
            tracker.recordActivity(now);
            wheel.expire(now);
        }

        assertThat(now).isEqualTo(5_000 * MS);
        assertThat(detector.rearmedCount()).isBetween(4L, 6L);
        assertThat(closedAt).isEmpty();
    }

    @Test
    void neverClosesAConnectionThatStoppedBeingTracked() {
        IdleTracker<String> tracker = detector.track("ended", now);
        detector.stop(tracker);

        advanceTo(3 * TIMEOUT);

        assertThat(closedAt).isEmpty();
        assertThat(detector.trackedCount()).isZero();
        assertThat(wheel.size()).isZero();
    }

    @Test
    void stopAfterEvictionChangesNothing() {
        IdleTracker<String> tracker = detector.track("evicted", now);
        advanceTo(TIMEOUT + TICK);

        detector.stop(tracker);

        assertThat(detector.trackedCount()).isZero();
        assertThat(detector.evictedCount()).isEqualTo(1);
    }

    @Test
    void trackerBuiltOnAnotherThreadIsWatchedOnlyOnceStarted() {
        IdleTracker<String> tracker = detector.newTracker("late-start", now);
        advanceTo(2 * TIMEOUT);
        assertThat(closedAt).isEmpty();

        detector.start(tracker);
        advanceTo(2 * TIMEOUT + TICK);

        assertThat(closedAt).containsOnlyKeys("late-start");
    }

    @Test
    void rejectsStartingATrackerTwice() {
        IdleTracker<String> tracker = detector.track("twice", now);

        assertThatThrownBy(() -> detector.start(tracker)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void closesOnlyTheSilentOnesAmongMany() {
        List<IdleTracker<String>> talkers = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            IdleTracker<String> tracker = detector.track("c" + i, now);
            if (i % 10 != 0) {
                talkers.add(tracker);
            }
        }
        for (int round = 0; round < 5; round++) {
            advanceTo(now + 500 * MS);
            talkers.forEach(tracker -> tracker.recordActivity(now));
        }

        assertThat(closedAt).hasSize(100);
        assertThat(closedAt.keySet()).allMatch(name -> Integer.parseInt(name.substring(1)) % 10 == 0);
        assertThat(detector.trackedCount()).isEqualTo(900);
    }
}
