package dev.c1m.heartbeat;

import dev.c1m.echo.testing.LiveThreads;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(10)
class WheelTimerTest {

    private final WheelTimer timer = WheelTimer.start("wheel-timer-test", Duration.ofMillis(5), 64);

    @AfterEach
    void closeTimer() {
        timer.close();
    }

    @Test
    void runsQueuedTasksOnTheTimerThreadInTheOrderTheyWereQueued() throws InterruptedException {
        List<String> log = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(1);
        for (int i = 0; i < 100; i++) {
            int n = i;
            timer.execute(() -> log.add(n + (timer.inTimerThread() ? "" : " off-thread")));
        }
        timer.execute(done::countDown);

        assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(log).hasSize(100);
        for (int i = 0; i < 100; i++) {
            assertThat(log.get(i)).isEqualTo(Integer.toString(i));
        }
    }

    @Test
    void firesARealTimeoutNoEarlierThanItsDelay() throws InterruptedException {
        long delay = TimeUnit.MILLISECONDS.toNanos(30);
        long[] scheduledAndFired = new long[2];
        CountDownLatch fired = new CountDownLatch(1);
        timer.execute(() -> {
            scheduledAndFired[0] = timer.nowNanos();
            timer.wheel().schedule(() -> {
                scheduledAndFired[1] = timer.nowNanos();
                fired.countDown();
            }, scheduledAndFired[0], delay);
        });

        assertThat(fired.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(scheduledAndFired[1] - scheduledAndFired[0]).isGreaterThanOrEqualTo(delay);
    }

    @Test
    void closeStopsTheTimerThread() {
        timer.close();

        assertThat(LiveThreads.namedLike("wheel-timer-test-wheel")).isEmpty();
    }
}
