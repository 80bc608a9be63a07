package dev.c1m.heartbeat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(10)
class SelfProtectionTest {

    private static final long MS = 1_000_000;
    private static final long S = 1_000 * MS;

    private final SelfProtection protection = new SelfProtection(0.5, 10, Duration.ofSeconds(60));

    @Test
    void allowsEvictionWhenAFewTimeOut() {
        assertThat(protection.allowsEviction(0, 40, 1_000)).isTrue();
        assertThat(protection.isProtecting(0)).isFalse();
    }

    @Test
    void refusesEvictionWhenMoreThanTheShareTimesOutInOneWindow() {
        assertThat(protection.allowsEviction(0, 501, 1_000)).isFalse();
        assertThat(protection.isProtecting(0)).isTrue();
    }

    @Test
    void exactlyTheShareIsStillEvicted() {
        assertThat(protection.allowsEviction(0, 500, 1_000)).isTrue();
    }

    @Test
    void alwaysEvictsBelowTheMinimumCountEvenIfItIsMostOfASmallPopulation() {
        assertThat(protection.allowsEviction(0, 9, 10)).isTrue();
    }

    @Test
    void keepsProtectingForItsWholePeriodEvenWhenFewTimeOut() {
        protection.allowsEviction(0, 900, 1_000);

        assertThat(protection.allowsEviction(59 * S, 1, 1_000)).isFalse();
        assertThat(protection.isProtecting(59 * S)).isTrue();
    }

    @Test
    void endsAfterItsPeriodAndJudgesTheNextWindowAfresh() {
        protection.allowsEviction(0, 900, 1_000);

        assertThat(protection.allowsEviction(60 * S, 3, 1_000)).isTrue();
        assertThat(protection.isProtecting(60 * S)).isFalse();
    }

    @Test
    void engagesAgainIfTheSilenceOutlastsThePeriod() {
        protection.allowsEviction(0, 900, 1_000);

        assertThat(protection.allowsEviction(61 * S, 900, 1_000)).isFalse();
        assertThat(protection.isProtecting(61 * S + 59 * S)).isTrue();
    }

    /** The detector with protection, driven by a manual clock: the whole path a partition takes. */
    @Test
    void detectorKeepsEveryConnectionWhenMostGoSilentAtOnceAndEvictsAFewSilentOnes() {
        long[] now = {0};
        TimingWheel wheel = new TimingWheel(Duration.ofMillis(10), 64, 0);
        Map<String, Long> closed = new LinkedHashMap<>();
        Set<String> spared = new HashSet<>();
        IdleDetector<String> detector = new IdleDetector<>(wheel, Duration.ofSeconds(1), new IdleListener<>() {
            @Override
            public void onIdle(String connection, long idleNanos) {
                closed.put(connection, now[0]);
            }

            @Override
            public void onSpared(String connection, long idleNanos) {
                spared.add(connection);
            }
        }, protection, Duration.ofMillis(200));
        List<IdleTracker<String>> trackers = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            trackers.add(detector.track("c" + i, 0));
        }
        // A partition: 80 of 100 go silent at once; 20 keep talking.
        for (long t = 0; t <= 3 * S; t += 10 * MS) {
            now[0] = t;
            for (int i = 80; i < 100; i++) {
                trackers.get(i).recordActivity(t);
            }
            wheel.expire(t);
        }
        assertThat(closed).isEmpty();
        assertThat(spared).as("the silent ones, each told it was kept").hasSize(80).allMatch(c -> Integer.parseInt(c.substring(1)) < 80);
        assertThat(protection.isProtecting(now[0])).isTrue();
        assertThat(detector.trackedCount()).isEqualTo(100);
    }

    @Test
    void detectorEvictsAFewSilentConnectionsWithinTimeoutPlusWindowPlusOneTick() {
        long[] now = {0};
        TimingWheel wheel = new TimingWheel(Duration.ofMillis(10), 64, 0);
        Map<String, Long> closed = new LinkedHashMap<>();
        IdleDetector<String> detector = new IdleDetector<>(wheel, Duration.ofSeconds(1),
                (connection, idle) -> closed.put(connection, now[0]), protection, Duration.ofMillis(200));
        List<IdleTracker<String>> trackers = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            trackers.add(detector.track("c" + i, 0));
        }
        for (long t = 0; t <= 2 * S; t += 10 * MS) {
            now[0] = t;
            for (int i = 5; i < 100; i++) {
                trackers.get(i).recordActivity(t);
            }
            wheel.expire(t);
        }
        assertThat(closed).containsOnlyKeys("c0", "c1", "c2", "c3", "c4");
        assertThat(closed.values()).allSatisfy(at -> assertThat(at).isBetween(S, S + 200 * MS + 10 * MS));
        assertThat(protection.isProtecting(now[0])).isFalse();
    }

    @Test
    void detectorSparesAPendingConnectionThatSpokeDuringTheWindow() {
        long[] now = {0};
        TimingWheel wheel = new TimingWheel(Duration.ofMillis(10), 64, 0);
        List<String> closed = new ArrayList<>();
        IdleDetector<String> detector = new IdleDetector<>(wheel, Duration.ofSeconds(1),
                (connection, idle) -> closed.add(connection), protection, Duration.ofMillis(200));
        IdleTracker<String> tracker = detector.track("wakes-up", 0);
        for (long t = 0; t <= 1_500 * MS; t += 10 * MS) {
            now[0] = t;
            if (t == 1_100 * MS) {
                tracker.recordActivity(t);
            }
            wheel.expire(t);
        }
        assertThat(closed).isEmpty();
        assertThat(detector.trackedCount()).isEqualTo(1);
    }
}
