package dev.c1m.limit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LeakyBucketTest {

    private final ManualClock clock = new ManualClock();
    /** Lets one request out every 100 ms; three may wait. */
    private final LeakyBucket bucket = new LeakyBucket(Rate.perSecond(10), 3, clock);

    @Test
    void aBurstLeavesEvenlySpacedAndTheExcessIsRefused() {
        List<Long> delaysMillis = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            long delay = bucket.tryEnqueue();
            delaysMillis.add(delay == LeakyBucket.REFUSED ? -1 : TimeUnit.NANOSECONDS.toMillis(delay));
        }
        assertThat(delaysMillis).containsExactly(0L, 100L, 200L, 300L, -1L, -1L);
    }

    @Test
    void aLeavingRequestMakesRoomForExactlyOneMore() {
        for (int i = 0; i < 4; i++) {
            bucket.tryEnqueue();
        }
        clock.advanceMillis(100);
        assertThat(TimeUnit.NANOSECONDS.toMillis(bucket.tryEnqueue())).isEqualTo(300);
        assertThat(bucket.tryEnqueue()).isEqualTo(LeakyBucket.REFUSED);
    }

    @Test
    void asAPolicerItAdmitsOnlyRequestsThatCanLeaveAtOnce() {
        assertThat(bucket.tryAcquire()).isTrue();
        assertThat(bucket.tryAcquire()).isFalse();
        clock.advanceMillis(99);
        assertThat(bucket.tryAcquire()).isFalse();
        clock.advanceMillis(1);
        assertThat(bucket.tryAcquire()).isTrue();
    }

    @Test
    void idlingSavesNoBurst() {
        clock.advanceMillis(3_600_000);
        assertThat(Admissions.of(bucket, 10)).isEqualTo(1);
    }

    @Test
    void steadyOverloadIsHeldExactlyToTheRate() {
        int admitted = 0;
        for (int ms = 0; ms < 10_000; ms += 10) {
            admitted += bucket.tryAcquire() ? 1 : 0;
            clock.advanceMillis(10);
        }
        assertThat(admitted).isEqualTo(100);
    }
}
