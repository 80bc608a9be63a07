package dev.c1m.limit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.c1m.echo.testing.Await;
import dev.c1m.limit.InFlightLimiter.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class InFlightLimiterTest {

    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stopThreads() throws InterruptedException {
        threads.shutdownNow();
        assertThat(threads.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void admitsUpToTheCapWithoutWaiting() throws InterruptedException {
        InFlightLimiter limiter = new InFlightLimiter(3, 0, Duration.ofSeconds(10));
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.acquire()).isEqualTo(Outcome.ADMITTED);
        }
        assertThat(limiter.inFlight()).isEqualTo(3);
        assertThat(limiter.tryAcquireNow()).isFalse();
    }

    @Test
    void aWaiterTimesOutNoEarlierThanTheWaitTimeAndWellBeforeTheTestEnds() throws Exception {
        Duration maxWait = Duration.ofMillis(50);
        InFlightLimiter limiter = new InFlightLimiter(1, 1, maxWait);
        limiter.acquire();

        long started = System.nanoTime();
        Outcome outcome = threads.submit(limiter::acquire).get();
        long waited = System.nanoTime() - started;

        assertThat(outcome).isEqualTo(Outcome.TIMED_OUT);
        assertThat(waited).isGreaterThanOrEqualTo(maxWait.toNanos());
        assertThat(waited).as("bounded: the wait plus scheduling noise").isLessThan(maxWait.toNanos() + TimeUnit.SECONDS.toNanos(5));
        assertThat(limiter.waiting()).isZero();
        assertThat(limiter.inFlight()).isEqualTo(1);
    }

    @Test
    void aWaiterIsAdmittedWhenAPermitIsReleasedInTime() throws Exception {
        InFlightLimiter limiter = new InFlightLimiter(1, 1, Duration.ofSeconds(20));
        limiter.acquire();
        Future<Outcome> waiter = threads.submit(limiter::acquire);
        Await.until("one waiter", Duration.ofSeconds(10), () -> limiter.waiting() == 1);

        limiter.release();

        assertThat(waiter.get()).isEqualTo(Outcome.ADMITTED);
        assertThat(limiter.inFlight()).isEqualTo(1);
        assertThat(limiter.waiting()).isZero();
    }

    @Test
    void refusesAtOnceWhenTheWaitingLineIsFull() throws Exception {
        InFlightLimiter limiter = new InFlightLimiter(1, 2, Duration.ofSeconds(20));
        limiter.acquire();
        Future<Outcome> first = threads.submit(limiter::acquire);
        Future<Outcome> second = threads.submit(limiter::acquire);
        Await.until("two waiters", Duration.ofSeconds(10), () -> limiter.waiting() == 2);

        long started = System.nanoTime();
        assertThat(limiter.acquire()).isEqualTo(Outcome.REFUSED_LINE_FULL);
        assertThat(System.nanoTime() - started).as("refused without waiting").isLessThan(TimeUnit.SECONDS.toNanos(5));

        limiter.release(); // our request is done: one waiter takes the permit
        limiter.release(); // that waiter's request is done: the other one takes it
        assertThat(first.get()).isEqualTo(Outcome.ADMITTED);
        assertThat(second.get()).isEqualTo(Outcome.ADMITTED);
        limiter.release(); // the last request is done
        assertThat(limiter.inFlight()).isZero();
    }

    @Test
    void aNewcomerDoesNotOvertakeTheWaiters() throws Exception {
        InFlightLimiter limiter = new InFlightLimiter(1, 1, Duration.ofSeconds(20));
        limiter.acquire();
        Future<Outcome> waiter = threads.submit(limiter::acquire);
        Await.until("one waiter", Duration.ofSeconds(10), () -> limiter.waiting() == 1);

        limiter.release();
        boolean newcomerGotIt = limiter.tryAcquireNow();

        assertThat(waiter.get()).isEqualTo(Outcome.ADMITTED);
        assertThat(newcomerGotIt).isFalse();
    }

    @Test
    void manyThreadsNeverExceedTheCapAndEveryRequestIsAccountedFor() throws Exception {
        int cap = 4;
        int threadCount = 32;
        int requestsPerThread = 200;
        InFlightLimiter limiter = new InFlightLimiter(cap, threadCount, Duration.ofSeconds(20));
        AtomicInteger running = new AtomicInteger();
        AtomicInteger mostRunning = new AtomicInteger();
        AtomicInteger completed = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> workers = new ArrayList<>();
        for (int t = 0; t < threadCount; t++) {
            workers.add(threads.submit(() -> {
                start.await();
                for (int i = 0; i < requestsPerThread; i++) {
                    assertThat(limiter.acquire()).isEqualTo(Outcome.ADMITTED);
                    try {
                        mostRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                        Thread.onSpinWait();
                        completed.incrementAndGet();
                    } finally {
                        running.decrementAndGet();
                        limiter.release();
                    }
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> worker : workers) {
            worker.get();
        }
        assertThat(completed.get()).isEqualTo(threadCount * requestsPerThread);
        assertThat(mostRunning.get()).isBetween(1, cap);
        assertThat(limiter.inFlight()).isZero();
        assertThat(limiter.waiting()).isZero();
    }

    @Test
    void underOverloadEveryAttemptEndsInExactlyOneOutcome() throws Exception {
        int threadCount = 16;
        int requestsPerThread = 100;
        InFlightLimiter limiter = new InFlightLimiter(2, 3, Duration.ofMillis(1));
        AtomicInteger[] outcomes = {new AtomicInteger(), new AtomicInteger(), new AtomicInteger()};
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> workers = new ArrayList<>();
        for (int t = 0; t < threadCount; t++) {
            workers.add(threads.submit(() -> {
                start.await();
                for (int i = 0; i < requestsPerThread; i++) {
                    Outcome outcome = limiter.acquire();
                    outcomes[outcome.ordinal()].incrementAndGet();
                    if (outcome == Outcome.ADMITTED) {
                        Thread.sleep(0, 200_000);
                        limiter.release();
                    }
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> worker : workers) {
            worker.get();
        }
        int total = outcomes[0].get() + outcomes[1].get() + outcomes[2].get();
        assertThat(total).isEqualTo(threadCount * requestsPerThread);
        assertThat(outcomes[Outcome.ADMITTED.ordinal()].get()).isPositive();
        assertThat(outcomes[Outcome.REFUSED_LINE_FULL.ordinal()].get() + outcomes[Outcome.TIMED_OUT.ordinal()].get())
                .as("16 threads against 2 permits and 3 places in line must see refusals").isPositive();
        assertThat(limiter.inFlight()).isZero();
        assertThat(limiter.waiting()).isZero();
    }
}
