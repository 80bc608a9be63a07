package dev.c1m.pool;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Leaks are found by the garbage collector, so these tests ask for collections until the report
 * arrives, within a generous bound. System.gc() is a request; with the default collector it runs
 * a full collection, which finds the unreachable handle on the first or second try.
 */
@Timeout(60)
class LeakDetectionTest {

    private static final Duration REPORT_WITHIN = Duration.ofSeconds(30);

    @Test
    void anObjectDroppedWithoutReleaseIsReportedWithItsBorrowSiteAndItsPlaceFreed() throws Exception {
        BlockingQueue<LeakReport> reports = new LinkedBlockingQueue<>();
        ObjectPool<byte[]> pool = ObjectPool.builder("leaky", () -> new byte[64]).maxSize(1)
                .leakDetector(new LeakDetector("leaky", 1, reports::add)).build();
        pool.borrow().release(); // no local variable: a kept handle would keep the object reachable

        borrowAndForget(pool);

        LeakReport report = awaitReport(reports);
        assertThat(report.poolName()).isEqualTo("leaky");
        assertThat(report.borrowStack())
                .contains("thread '" + Thread.currentThread().getName() + "'")
                .contains("LeakDetectionTest.borrowAndForget");
        try (Pooled<byte[]> again = pool.borrow(Duration.ofSeconds(1))) {
            assertThat(again.get()).hasSize(64); // the leaked object's place came back
        }
        assertThat(reports).isEmpty(); // the properly released borrow was never reported
        assertThat(pool.existing()).isEqualTo(1);
    }

    @Test
    void aBufferDroppedWithoutReleaseIsReportedWithItsBorrowSite() throws Exception {
        BlockingQueue<LeakReport> reports = new LinkedBlockingQueue<>();
        BufferPool pool = new BufferPool("leaky-buffers",
                BufferPool.Settings.defaults().withLeakSamplingInterval(1), reports::add);
        pool.acquire(100).release();

        acquireAndForget(pool);

        LeakReport report = awaitReport(reports);
        assertThat(report.borrowStack()).contains("LeakDetectionTest.acquireAndForget");
        assertThat(pool.leaksReported()).isEqualTo(1);
        assertThat(reports).isEmpty();
    }

    @Test
    void withSamplingOffNothingIsTrackedOrReported() throws Exception {
        BlockingQueue<LeakReport> reports = new LinkedBlockingQueue<>();
        LeakDetector off = new LeakDetector("off", 0, reports::add);
        assertThat(off.sample()).isFalse();
        LeakDetector sometimes = new LeakDetector("sometimes", 16, reports::add);
        int sampled = 0;
        for (int i = 0; i < 16_000; i++) {
            sampled += sometimes.sample() ? 1 : 0;
        }
        assertThat(sampled).isBetween(500, 1_500); // about one in 16
    }

    private static void borrowAndForget(ObjectPool<byte[]> pool) throws InterruptedException {
        pool.borrow().get()[0] = 1;
    }

    private static void acquireAndForget(BufferPool pool) {
        pool.acquire(100).buffer().put((byte) 1);
    }

    private static LeakReport awaitReport(BlockingQueue<LeakReport> reports) throws InterruptedException {
        long deadline = System.nanoTime() + REPORT_WITHIN.toNanos();
        while (System.nanoTime() < deadline) {
            System.gc();
            LeakReport report = reports.poll(100, TimeUnit.MILLISECONDS);
            if (report != null) {
                return report;
            }
        }
        throw new AssertionError("no leak reported within " + REPORT_WITHIN);
    }
}
