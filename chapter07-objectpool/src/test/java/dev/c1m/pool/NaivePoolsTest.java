package dev.c1m.pool;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** The mistakes the chapter warns about, failing the way the pitfalls section says they do. */
@Timeout(30)
class NaivePoolsTest {

    private static final int BURST = 1_000;

    @Test
    void naivePoolKeepsEveryObjectOfABurstForever() {
        NaiveObjectPool<byte[]> naive = new NaiveObjectPool<>(() -> new byte[1024]);
        List<byte[]> burst = new ArrayList<>();
        for (int i = 0; i < BURST; i++) {
            burst.add(naive.borrow());
        }
        burst.forEach(naive::release);
        assertThat(naive.idle()).isEqualTo(BURST); // a megabyte kept after a one-off burst
    }

    @Test
    void naivePoolHandsTheNextBorrowerThePreviousBorrowersData() {
        NaiveObjectPool<StringBuilder> naive = new NaiveObjectPool<>(StringBuilder::new);
        StringBuilder first = naive.borrow();
        first.append("secret of user 1");
        naive.release(first);
        assertThat(naive.borrow()).hasToString("secret of user 1");
    }

    @Test
    void naivePoolAcceptsADoubleReleaseAndThenLendsOneObjectToTwoBorrowers() {
        NaiveObjectPool<StringBuilder> naive = new NaiveObjectPool<>(StringBuilder::new);
        StringBuilder object = naive.borrow();
        naive.release(object);
        naive.release(object);
        assertThat(naive.borrow()).isSameAs(naive.borrow());
    }

    @Test
    void threadLocalCacheMakesOneObjectPerVirtualThreadWhereABoundedPoolMakesMaxSize() throws Exception {
        NaiveThreadLocalCache<byte[]> perThread = new NaiveThreadLocalCache<>(() -> new byte[16 * 1024]);
        ObjectPool<byte[]> shared = ObjectPool.builder("shared", () -> new byte[16 * 1024]).maxSize(8)
                .borrowTimeout(Duration.ofSeconds(20)).build();
        CountDownLatch start = new CountDownLatch(1);
        try (ExecutorService virtualThreads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> connections = new ArrayList<>();
            for (int i = 0; i < BURST; i++) {
                connections.add(virtualThreads.submit(() -> {
                    start.await();
                    perThread.get()[0] = 1;
                    try (Pooled<byte[]> lease = shared.borrow()) {
                        lease.get()[0] = 1;
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> connection : connections) {
                connection.get();
            }
        }
        assertThat(perThread.created()).isEqualTo(BURST);
        assertThat(shared.created()).isLessThanOrEqualTo(8);
    }
}
