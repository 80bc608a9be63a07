package dev.c1m.concurrency;

import dev.c1m.echo.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Each backpressure policy under a full pool: one worker busy, one task queued, and one more
 * submitted. The workers block on a latch, so "full" is a state the test controls.
 */
@Timeout(20)
class WorkerPoolTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final CountDownLatch release = new CountDownLatch(1);
    private WorkerPool pool;

    @AfterEach
    void closePool() {
        release.countDown();
        if (pool != null) {
            pool.close();
        }
    }

    private String blockUntilReleased() throws InterruptedException {
        release.await();
        return Thread.currentThread().getName();
    }

    /** Fills a one-thread, one-slot pool: a running task and a queued one. */
    private void fill(Backpressure backpressure) throws InterruptedException {
        pool = WorkerPool.start("worker", WorkerPool.Sizing.fixed(1, 1), backpressure);
        pool.submit(this::blockUntilReleased);
        Await.until("the worker is busy", TIMEOUT, () -> pool.threads() == 1);
        pool.submit(this::blockUntilReleased);
        assertThat(pool.queued()).isEqualTo(1);
    }

    @Test
    void blockProducerMakesTheSubmitterWaitUntilThereIsRoom() throws Exception {
        fill(Backpressure.BLOCK_PRODUCER);
        AtomicReference<Future<String>> third = new AtomicReference<>();
        Thread producer = Thread.ofVirtual().start(() -> third.set(pool.submit(() -> "third")));

        Await.until("the producer is blocked", TIMEOUT, () -> producer.getState() == Thread.State.TIMED_WAITING);
        assertThat(third.get()).isNull();
        assertThat(pool.rejected()).isZero();

        release.countDown();
        producer.join(TIMEOUT);
        assertThat(third.get().get()).isEqualTo("third");
    }

    @Test
    void rejectWithBusyRefusesAtOnceAndCountsIt() throws Exception {
        fill(Backpressure.REJECT_WITH_BUSY);
        assertThatThrownBy(() -> pool.submit(() -> "third"))
                .isInstanceOf(RejectedExecutionException.class).hasMessage("busy");
        assertThat(pool.rejected()).isEqualTo(1);
        assertThat(pool.queued()).isEqualTo(1);
    }

    @Test
    void callerRunsDoesTheWorkOnTheSubmittingThread() throws Exception {
        fill(Backpressure.CALLER_RUNS);
        Future<String> third = pool.submit(() -> Thread.currentThread().getName());
        assertThat(third.isDone()).isTrue();
        assertThat(third.get()).isEqualTo(Thread.currentThread().getName());
        assertThat(pool.rejected()).isZero();
    }

    @Test
    void anElasticPoolGrowsOnlyOnceItsQueueIsFullAndShrinksBackWhenIdle() throws Exception {
        pool = WorkerPool.start("elastic", WorkerPool.Sizing.elastic(1, 3, Duration.ofMillis(50), 2),
                Backpressure.REJECT_WITH_BUSY);
        pool.submit(this::blockUntilReleased);
        pool.submit(this::blockUntilReleased);
        pool.submit(this::blockUntilReleased);
        assertThat(pool.threads()).as("one core thread; the queue takes the next two").isEqualTo(1);
        assertThat(pool.queued()).isEqualTo(2);

        pool.submit(this::blockUntilReleased);
        pool.submit(this::blockUntilReleased);
        assertThat(pool.threads()).as("queue full: up to the maximum").isEqualTo(3);
        assertThatThrownBy(() -> pool.submit(this::blockUntilReleased)).isInstanceOf(RejectedExecutionException.class);

        release.countDown();
        Await.until("extra threads retired after their keep-alive", TIMEOUT, () -> pool.threads() == 1);
    }

    @Test
    void closeFinishesQueuedWorkAndThenRefusesMore() throws Exception {
        pool = WorkerPool.start("closing", WorkerPool.Sizing.fixed(1, 4), Backpressure.BLOCK_PRODUCER);
        Future<String> running = pool.submit(this::blockUntilReleased);
        Future<String> queued = pool.submit(() -> "queued");
        release.countDown();
        pool.close();
        assertThat(running.isDone()).isTrue();
        assertThat(queued.resultNow()).isEqualTo("queued");
        assertThatThrownBy(() -> pool.submit(() -> "late")).isInstanceOf(RejectedExecutionException.class);
    }

    @Test
    void everyPolicyRefusesWorkAfterClose() {
        for (Backpressure backpressure : Backpressure.values()) {
            WorkerPool closed = WorkerPool.start("closed-" + backpressure, WorkerPool.Sizing.fixed(1, 1), backpressure);
            closed.close();
            assertThatThrownBy(() -> closed.submit(() -> "late")).as(backpressure.name())
                    .isInstanceOf(RejectedExecutionException.class);
        }
    }

    @Test
    void sizingRejectsAMaximumBelowTheCore() {
        assertThatThrownBy(() -> WorkerPool.Sizing.elastic(4, 2, Duration.ofSeconds(1), 10))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
