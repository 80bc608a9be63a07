package dev.c1m.heartbeat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(10)
class TimingWheelTest {

    private static final long MS = 1_000_000;
    private static final long TICK = 10 * MS;

    private final TimingWheel wheel = new TimingWheel(Duration.ofNanos(TICK), 8, 0);
    private final List<String> fired = new ArrayList<>();

    /** An entry that records its name when it expires. */
    private final class Named extends TimerEntry {
        final String name;
        long firedAt = -1;

        Named(String name) {
            this.name = name;
        }

        @Override
        protected void onExpiry(long nowNanos) {
            firedAt = nowNanos;
            fired.add(name);
        }
    }

    private Named schedule(String name, long deadlineNanos) {
        Named entry = new Named(name);
        wheel.schedule(entry, deadlineNanos);
        return entry;
    }

    @Test
    void expiresEntriesInDeadlineOrderAcrossTicks() {
        schedule("c", 55 * MS);
        schedule("a", 5 * MS);
        schedule("b", 25 * MS);

        wheel.expire(100 * MS);

        assertThat(fired).containsExactly("a", "b", "c");
    }

    @Test
    void neverExpiresBeforeItsDeadlineNorLaterThanOneTickAfter() {
        Random random = new Random(42);
        List<Named> entries = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            entries.add(schedule("e" + i, 1 + random.nextLong(2_000 * MS)));
        }
        for (long now = 0; now <= 2_100 * MS; now += MS) {
            wheel.expire(now);
        }

        assertThat(entries).allSatisfy(entry -> {
            assertThat(entry.firedAt).isGreaterThanOrEqualTo(entry.deadlineNanos());
            assertThat(entry.firedAt).isLessThanOrEqualTo(entry.deadlineNanos() + TICK);
        });
        assertThat(wheel.size()).isZero();
    }

    @Test
    void doesNotExpireAnEntryOneNanosecondBeforeItsDeadline() {
        schedule("exact", 30 * MS);

        wheel.expire(30 * MS - 1);
        assertThat(fired).isEmpty();

        wheel.expire(30 * MS);
        assertThat(fired).containsExactly("exact");
    }

    @Test
    void cancelledEntryNeverExpires() {
        Named cancelled = schedule("cancelled", 15 * MS);
        schedule("kept", 15 * MS);

        assertThat(wheel.cancel(cancelled)).isTrue();
        wheel.expire(100 * MS);

        assertThat(fired).containsExactly("kept");
        assertThat(cancelled.isScheduled()).isFalse();
    }

    @Test
    void cancelAfterExpiryReportsThatNothingWasCancelled() {
        Named entry = schedule("done", 5 * MS);
        wheel.expire(10 * MS);

        assertThat(wheel.cancel(entry)).isFalse();
    }

    @Test
    void deadlineSeveralRotationsAheadWaitsForItsOwnRotation() {
        long rotation = 8 * TICK;
        Named far = schedule("far", 3 * rotation + 5 * MS);

        for (long now = 0; now < 3 * rotation + 5 * MS; now += MS) {
            wheel.expire(now);
        }
        assertThat(fired).isEmpty();
        assertThat(far.isScheduled()).isTrue();

        wheel.expire(3 * rotation + TICK);
        assertThat(fired).containsExactly("far");
    }

    @Test
    void expiresEveryEntryOfACrowdedBucketAndKeepsThoseOfLaterRotations() {
        for (int i = 0; i < 10_000; i++) {
            schedule("now" + i, 15 * MS);
            schedule("later" + i, 15 * MS + 8 * TICK);
        }

        int expired = wheel.expire(20 * MS);

        assertThat(expired).isEqualTo(10_000);
        assertThat(fired).allMatch(name -> name.startsWith("now"));
        assertThat(wheel.size()).isEqualTo(10_000);
    }

    @Test
    void schedulingAScheduledEntryAgainMovesItInsteadOfAddingASecond() {
        Named entry = schedule("moved", 15 * MS);

        wheel.schedule(entry, 45 * MS);
        wheel.expire(30 * MS);

        assertThat(fired).isEmpty();
        assertThat(wheel.size()).isEqualTo(1);
        wheel.expire(50 * MS);
        assertThat(fired).containsExactly("moved");
    }

    @Test
    void deadlineAlreadyPastExpiresAtTheNextTick() {
        wheel.expire(100 * MS);
        schedule("late", 20 * MS);

        wheel.expire(105 * MS);
        assertThat(fired).isEmpty();
        wheel.expire(110 * MS);
        assertThat(fired).containsExactly("late");
    }

    @Test
    void callbackMayCancelTheEntryTheWheelWouldVisitNext() {
        Named second = new Named("second");
        TimerEntry first = new TimerEntry() {
            @Override
            protected void onExpiry(long nowNanos) {
                fired.add("first");
                wheel.cancel(second);
            }
        };
        wheel.schedule(first, 5 * MS);
        wheel.schedule(second, 5 * MS);
        schedule("third", 5 * MS);

        wheel.expire(10 * MS);

        assertThat(fired).containsExactly("first", "third");
        assertThat(wheel.size()).isZero();
    }

    @Test
    void callbackMayRearmItsOwnEntryWithoutExpiringTwiceInOneTick() {
        TimerEntry rearming = new TimerEntry() {
            @Override
            protected void onExpiry(long nowNanos) {
                fired.add("at " + nowNanos / MS);
                wheel.schedule(this, nowNanos);
            }
        };
        wheel.schedule(rearming, 5 * MS);

        wheel.expire(10 * MS);
        assertThat(fired).containsExactly("at 10");
        wheel.expire(20 * MS);
        assertThat(fired).containsExactly("at 10", "at 20");
    }

    @Test
    void runnableTaskRunsOnceItsDelayHasPassed() {
        wheel.schedule(() -> fired.add("task"), 0, 25 * MS);

        wheel.expire(20 * MS);
        assertThat(fired).isEmpty();
        wheel.expire(30 * MS);
        assertThat(fired).containsExactly("task");
    }

    @Test
    void aFailingTaskDoesNotStopTheOthers() {
        wheel.schedule(() -> {
            throw new IllegalStateException("boom");
        }, 0, 5 * MS);
        schedule("after", 5 * MS);

        wheel.expire(10 * MS);

        assertThat(fired).containsExactly("after");
    }

    @Test
    void tellsAReactorHowLongItMayBlockUntilTheNextTick() {
        assertThat(wheel.nanosUntilNextTick(3 * MS)).isEqualTo(7 * MS);
        wheel.expire(12 * MS);
        assertThat(wheel.nanosUntilNextTick(12 * MS)).isEqualTo(8 * MS);
        assertThat(wheel.nanosUntilNextTick(25 * MS)).isZero();
    }

    @Test
    void refusesUseFromASecondThreadWhenAssertionsAreOn() throws InterruptedException {
        schedule("owned", 5 * MS);
        Throwable[] failure = new Throwable[1];
        Thread intruder = Thread.ofPlatform().start(() -> {
            try {
                wheel.expire(10 * MS);
            } catch (Throwable e) {
                failure[0] = e;
            }
        });
        intruder.join();

        assertThat(failure[0]).isInstanceOf(AssertionError.class).hasMessageContaining("owner thread");
        assertThat(fired).isEmpty();
    }

    @Test
    void rejectsAWheelSizeThatIsNotAPowerOfTwo() {
        assertThatThrownBy(() -> new TimingWheel(Duration.ofMillis(1), 100, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("power of two");
    }

    @Test
    void worksOnAClockThatStartsNearOverflow() {
        long start = Long.MAX_VALUE - 15 * MS;
        TimingWheel nearOverflow = new TimingWheel(Duration.ofNanos(TICK), 8, start);
        List<Long> at = new ArrayList<>();
        nearOverflow.schedule(() -> at.add(1L), start, 30 * MS);

        nearOverflow.expire(start + 25 * MS);
        assertThat(at).isEmpty();
        nearOverflow.expire(start + 30 * MS);
        assertThat(at).hasSize(1);
    }
}
