package dev.c1m.limit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.c1m.echo.testing.Await;
import dev.c1m.limit.InFlightLimiter.Outcome;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The unbounded waiting line, shown failing next to the bounded one. */
@Timeout(30)
class NaiveInFlightLimiterTest {

    private static final int CALLERS = 50;
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stopThreads() throws InterruptedException {
        threads.shutdownNow();
        assertThat(threads.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void naiveLimiterLetsItsWaitingLineGrowWithEveryCaller() throws Exception {
        NaiveInFlightLimiter naive = new NaiveInFlightLimiter(1);
        naive.acquire(); // the one permit is busy, e.g. with a stuck downstream call
        for (int i = 0; i < CALLERS; i++) {
            threads.submit(() -> {
                naive.acquire();
                naive.release();
                return null;
            });
        }
        // nobody is refused, nobody times out: all fifty wait, and would wait forever
        Await.until("all callers waiting", Duration.ofSeconds(10), () -> naive.waiting() == CALLERS);
        naive.release(); // lets them drain so the pool can stop
        Await.until("line drained", Duration.ofSeconds(10), () -> naive.waiting() == 0);
    }

    @Test
    void boundedLimiterRefusesAllButItsLineAtOnce() throws Exception {
        InFlightLimiter bounded = new InFlightLimiter(1, 5, Duration.ofSeconds(20));
        bounded.acquire();
        for (int i = 0; i < 5; i++) {
            threads.submit(bounded::acquire);
        }
        Await.until("line full", Duration.ofSeconds(10), () -> bounded.waiting() == 5);
        int refused = 0;
        for (int i = 5; i < CALLERS; i++) {
            refused += bounded.acquire() == Outcome.REFUSED_LINE_FULL ? 1 : 0;
        }
        assertThat(refused).isEqualTo(CALLERS - 5);
        assertThat(bounded.waiting()).isEqualTo(5);
    }
}
