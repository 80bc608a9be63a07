package dev.c1m.pool;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(30)
class ObjectPoolTest {

    @Test
    void neverHasMoreThanMaxSizeBorrowedUnder32ThreadsAndGetsEverythingBack() throws Exception {
        int maxSize = 8;
        int threads = 32;
        int cycles = 10_000;
        AtomicInteger borrowedNow = new AtomicInteger();
        AtomicInteger highestBorrowed = new AtomicInteger();
        Set<StringBuilder> distinct = ConcurrentHashMap.newKeySet();
        ObjectPool<StringBuilder> pool = ObjectPool.<StringBuilder>builder("concurrent", StringBuilder::new)
                .maxSize(maxSize).borrowTimeout(Duration.ofSeconds(20))
                .resetOnRelease(sb -> sb.setLength(0)).build();
        CountDownLatch start = new CountDownLatch(1);
        try (ExecutorService executor = Executors.newFixedThreadPool(threads)) {
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                workers.add(executor.submit(() -> {
                    start.await();
                    for (int i = 0; i < cycles; i++) {
                        try (Pooled<StringBuilder> lease = pool.borrow()) {
                            int now = borrowedNow.incrementAndGet();
                            highestBorrowed.accumulateAndGet(now, Math::max);
                            StringBuilder sb = lease.get();
                            assertThat(sb.length()).isZero(); // reset ran: no state from the last borrower
                            sb.append("used");
                            distinct.add(sb);
                            borrowedNow.decrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> worker : workers) {
                worker.get();
            }
        }
        assertThat(highestBorrowed.get()).isLessThanOrEqualTo(maxSize);
        assertThat(distinct.size()).isLessThanOrEqualTo(maxSize);
        assertThat(pool.borrowed()).isZero();
        assertThat(pool.existing()).isLessThanOrEqualTo(maxSize).isEqualTo(pool.idle());
        assertThat(pool.created()).isEqualTo(pool.existing());
        assertThat(pool.destroyed()).isZero();
    }

    @Test
    void borrowBeyondMaxSizeWaitsThenFailsWithAClearError() throws Exception {
        ObjectPool<Object> pool = ObjectPool.builder("tiny", Object::new).maxSize(2).build();
        Pooled<Object> first = pool.borrow();
        Pooled<Object> second = pool.borrow();
        long start = System.nanoTime();
        assertThatThrownBy(() -> pool.borrow(Duration.ofMillis(50)))
                .isInstanceOf(PoolTimeoutException.class)
                .hasMessageContaining("pool 'tiny'")
                .hasMessageContaining("within 50 ms")
                .hasMessageContaining("all 2 are borrowed");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(50));
        assertThat(pool.timeouts()).isEqualTo(1);
        first.release();
        second.release();
    }

    @Test
    void aWaitingBorrowerGetsTheObjectAnotherThreadReleases() throws Exception {
        ObjectPool<Object> pool = ObjectPool.builder("handoff", Object::new).maxSize(1).build();
        Pooled<Object> held = pool.borrow();
        Object object = held.get();
        CompletableFuture<Object> got = new CompletableFuture<>();
        Thread waiter = Thread.ofPlatform().start(() -> {
            try (Pooled<Object> lease = pool.borrow(Duration.ofSeconds(10))) {
                got.complete(lease.get());
            } catch (Exception e) {
                got.completeExceptionally(e);
            }
        });
        dev.c1m.echo.testing.Await.until("the borrower waits for a permit", Duration.ofSeconds(5),
                () -> waiter.getState() == Thread.State.TIMED_WAITING);
        assertThat(got).isNotDone();

        held.release();

        assertThat(got.get(5, TimeUnit.SECONDS)).isSameAs(object);
        waiter.join();
    }

    @Test
    void resetRunsOnReleaseAndValidationFailuresAreDestroyedAndReplaced() throws Exception {
        List<String> destroyedContents = new ArrayList<>();
        AtomicInteger resets = new AtomicInteger();
        ObjectPool<StringBuilder> pool = ObjectPool.<StringBuilder>builder("hooks", StringBuilder::new)
                .maxSize(1)
                .resetOnRelease(sb -> {
                    resets.incrementAndGet();
                    sb.append("|reset");
                })
                .validateOnBorrow(sb -> !sb.toString().contains("poisoned"))
                .destroyWith(sb -> destroyedContents.add(sb.toString()))
                .build();

        Pooled<StringBuilder> lease = pool.borrow();
        StringBuilder first = lease.get();
        first.append("poisoned");
        lease.release();
        assertThat(resets).hasValue(1);
        assertThat(first).hasToString("poisoned|reset");

        Pooled<StringBuilder> next = pool.borrow();
        assertThat(next.get()).isNotSameAs(first).hasToString("");
        assertThat(destroyedContents).containsExactly("poisoned|reset");
        assertThat(pool.created()).isEqualTo(2);
        assertThat(pool.destroyed()).isEqualTo(1);
        next.release();
    }

    @Test
    void aResetHookThatThrowsGetsItsObjectDestroyedAndThePermitBack() throws Exception {
        ObjectPool<Object> pool = ObjectPool.builder("bad-reset", Object::new).maxSize(1)
                .resetOnRelease(o -> {
                    throw new IllegalStateException("cannot reset");
                }).build();
        Pooled<Object> lease = pool.borrow();
        Object first = lease.get();
        lease.release();
        assertThat(pool.destroyed()).isEqualTo(1);
        assertThat(pool.borrowed()).isZero();
        try (Pooled<Object> next = pool.borrow(Duration.ofMillis(100))) {
            assertThat(next.get()).isNotSameAs(first);
        }
    }

    @Test
    void doubleReleaseThrowsAtOnceAndUseAfterReleaseThrows() throws Exception {
        ObjectPool<Object> pool = ObjectPool.builder("double", Object::new).maxSize(2).build();
        Pooled<Object> lease = pool.borrow();
        lease.release();
        assertThatThrownBy(lease::release)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("double release");
        assertThatThrownBy(lease::get)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("use after release");
        assertThat(pool.borrowed()).isZero();
        assertThat(pool.idle()).isEqualTo(1);
    }

    @Test
    void closedPoolRefusesBorrowsAndDestroysObjectsAsTheyComeBack() throws Exception {
        List<Object> destroyed = new ArrayList<>();
        ObjectPool<Object> pool = ObjectPool.builder("closing", Object::new).maxSize(2)
                .destroyWith(destroyed::add).build();
        Pooled<Object> idleOne = pool.borrow();
        Pooled<Object> lent = pool.borrow();
        Object idleObject = idleOne.get();
        Object lentObject = lent.get();
        idleOne.release();
        pool.close();
        assertThat(destroyed).containsExactly(idleObject);
        assertThatThrownBy(pool::borrow).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        lent.release();
        assertThat(destroyed).containsExactly(idleObject, lentObject);
    }
}
