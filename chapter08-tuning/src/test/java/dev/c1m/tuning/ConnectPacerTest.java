package dev.c1m.tuning;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(10)
class ConnectPacerTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    @Test
    void grantsTheRateTimesTheElapsedTimeAndNoMore() {
        ConnectPacer pacer = new ConnectPacer(1000, now::get);

        assertThat(pacer.take(500)).isZero();
        now.addAndGet(10_000_000); // 10 ms
        assertThat(pacer.take(500)).isEqualTo(10);
        assertThat(pacer.take(500)).isZero();
        now.addAndGet(250_000_000);
        assertThat(pacer.take(100)).isEqualTo(100); // capped by what the caller wants
        assertThat(pacer.take(1000)).isEqualTo(150);
    }

    @Test
    void aLongPauseAllowsAtMostOneSecondsWorthAtOnce() {
        ConnectPacer pacer = new ConnectPacer(1000, now::get);

        now.addAndGet(10_000_000_000L); // a 10 s stall
        assertThat(pacer.take(100_000)).isEqualTo(1000);
        now.addAndGet(1_000_000);
        assertThat(pacer.take(100_000)).isEqualTo(1);
    }

    @Test
    void keepsGrantingAtTheHighestRateLongAfterElapsedTimesRateWouldOverflowALong() {
        ConnectPacer pacer = new ConnectPacer(10_000_000, now::get);

        now.addAndGet(3_600_000_000_000L); // an hour: 3.6e12 ns x 1e7 is past Long.MAX_VALUE
        pacer.take(Integer.MAX_VALUE);
        now.addAndGet(1_000_000); // 1 ms more
        assertThat(pacer.take(Integer.MAX_VALUE)).isEqualTo(10_000);
    }

    @Test
    void rateZeroMeansUnlimited() {
        ConnectPacer pacer = new ConnectPacer(0, now::get);

        assertThat(pacer.take(12_345)).isEqualTo(12_345);
    }
}
