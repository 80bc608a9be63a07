package dev.c1m.concurrency;

import dev.c1m.echo.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The rules for virtual threads: do not pool them, limit with a semaphore, beware ThreadLocal. */
@Timeout(20)
class VirtualThreadRulesTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final ThreadLocal<String> CURRENT_USER = new ThreadLocal<>();

    @Test
    void naivePoolOfVirtualThreadsLeaksOneTasksThreadLocalIntoTheNext() throws Exception {
        try (ExecutorService pooled = NaiveVirtualThreadPool.create(1)) {
            pooled.submit(() -> CURRENT_USER.set("alice")).get();
            String seenByNextTask = pooled.submit(CURRENT_USER::get).get();
            assertThat(seenByNextTask).as("bob's request runs as alice").isEqualTo("alice");
        }
    }

    @Test
    void aVirtualThreadPerTaskStartsEveryTaskWithFreshThreadLocals() throws Exception {
        try (ExecutorService perTask = Executors.newVirtualThreadPerTaskExecutor()) {
            perTask.submit(() -> CURRENT_USER.set("alice")).get();
            assertThat(perTask.submit(CURRENT_USER::get).get()).isNull();
        }
    }

    @Test
    void aConcurrencyLimitLetsExactlyItsPermitsInAtOnce() throws Exception {
        int tasks = 50;
        int permits = 5;
        ConcurrencyLimit limit = new ConcurrencyLimit(permits, TIMEOUT);
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger mostInside = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch start = new CountDownLatch(1);
        Future<?>[] results = new Future<?>[tasks];
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < tasks; i++) {
                results[i] = threads.submit(() -> {
                    start.await();
                    return limit.call(() -> {
                        mostInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
                        release.await();
                        inside.decrementAndGet();
                        return null;
                    });
                });
            }
            start.countDown();
            Await.until("the permits are all taken", TIMEOUT, () -> inside.get() == permits);
            assertThat(limit.available()).isZero();
            release.countDown();
        }
        for (Future<?> result : results) {
            assertThat(result.state()).isEqualTo(Future.State.SUCCESS);
        }
        assertThat(mostInside.get()).isEqualTo(permits);
        assertThat(limit.available()).isEqualTo(permits);
    }

    @Test
    void aConcurrencyLimitGivesUpAfterItsMaximumWait() throws Exception {
        ConcurrencyLimit limit = new ConcurrencyLimit(1, Duration.ofMillis(30));
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            threads.submit(() -> limit.call(() -> {
                holding.countDown();
                release.await();
                return null;
            }));
            holding.await();
            long before = System.nanoTime();
            assertThatThrownBy(() -> limit.call(() -> "never")).isInstanceOf(TimeoutException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - before)).isGreaterThanOrEqualTo(Duration.ofMillis(30));
            release.countDown();
        }
    }

    @Test
    void aThreadLocalCacheHitsOnAPlatformPoolButAllocatesPerTaskOnVirtualThreads() throws Exception {
        int tasks = 1_000;
        ThreadLocalBufferCache onPool = new ThreadLocalBufferCache(1024);
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            for (int i = 0; i < tasks; i++) {
                pool.submit(onPool::buffer);
            }
        }
        ThreadLocalBufferCache onVirtual = new ThreadLocalBufferCache(1024);
        try (ExecutorService perTask = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < tasks; i++) {
                perTask.submit(onVirtual::buffer);
            }
        }
        assertThat(onPool.allocations()).isBetween(1L, 4L);
        assertThat(onVirtual.allocations()).isEqualTo(tasks);
    }
}
