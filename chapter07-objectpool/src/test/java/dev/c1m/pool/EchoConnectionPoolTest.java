package dev.c1m.pool;

import dev.c1m.echo.AcceptBackoff;
import dev.c1m.echo.LineEchoHandler;
import dev.c1m.echo.TcpServer;
import dev.c1m.echo.testing.Await;
import dev.c1m.echo.testing.ReservedPort;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The connection pool against chapter 1's echo server; time is a hand-driven clock except for borrow waits. */
@Timeout(30)
class EchoConnectionPoolTest {

    private static final Duration AWAIT = Duration.ofSeconds(10);

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final BlockingQueue<LeakReport> leaks = new LinkedBlockingQueue<>();
    /** Stays this test's while its server restarts, so the restart binds it again. */
    private ReservedPort port;
    private TcpServer server;
    private EchoConnectionPool pool;

    @BeforeEach
    void startServer() throws IOException {
        port = ReservedPort.pick();
        server = startEchoServer();
    }

    private TcpServer startEchoServer() throws IOException {
        return TcpServer.start("echo", port.listen(), new LineEchoHandler(),
                TcpServer.platformThreadPerConnection("echo-conn-"), AcceptBackoff.standard());
    }

    @AfterEach
    void stop() throws IOException {
        if (pool != null) {
            pool.close();
        }
        server.close();
        port.close();
    }

    private EchoConnectionPool open(EchoConnectionPool.Settings settings) {
        pool = EchoConnectionPool.open("test-pool", settings, clock::get, leaks::add);
        return pool;
    }

    private EchoConnectionPool.Settings settings() {
        return EchoConnectionPool.Settings.defaults(server.localAddress())
                .withHousekeepingPeriod(Duration.ZERO).withValidateAfterIdle(Duration.ofHours(1));
    }

    private void advance(Duration d) {
        clock.addAndGet(d.toNanos());
    }

    @Test
    void opensMinIdleConnectionsAndLendsWorkingOnes() throws Exception {
        open(settings().withSizes(2, 4));
        assertThat(pool.metrics().idle()).isEqualTo(2);
        Await.until("the server sees 2 connections", AWAIT, () -> server.activeConnections() == 2);
        try (PooledConnection connection = pool.borrow()) {
            assertThat(connection.request("hi")).isEqualTo("echo: hi");
        }
        assertThat(pool.metrics().created()).isEqualTo(2);
    }

    @Test
    void borrowBeyondMaxSizeWaitsThenTimesOutWithTheReason() throws Exception {
        open(settings().withSizes(0, 2));
        PooledConnection a = pool.borrow();
        PooledConnection b = pool.borrow();
        long start = System.nanoTime();
        assertThatThrownBy(() -> pool.borrow(Duration.ofMillis(100)))
                .isInstanceOf(PoolTimeoutException.class)
                .hasMessageContaining("'test-pool' to " + server.localAddress())
                .hasMessageContaining("no connection available within 100 ms")
                .hasMessageContaining("2 of maxSize 2 are lent");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(100));
        assertThat(pool.metrics().borrowTimeouts()).isEqualTo(1);
        assertThat(pool.metrics().created()).isEqualTo(2);
        a.release();
        b.release();
    }

    @Test
    void aWaitingBorrowerIsCountedAndGetsTheReleasedConnection() throws Exception {
        open(settings().withSizes(0, 1));
        PooledConnection held = pool.borrow();
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<String> waiter = executor.submit(() -> {
                try (PooledConnection connection = pool.borrow(Duration.ofSeconds(10))) {
                    return connection.request("after wait");
                }
            });
            Await.until("one borrower waits", AWAIT, () -> pool.metrics().waiting() == 1);
            held.release();
            assertThat(waiter.get()).isEqualTo("echo: after wait");
        }
        assertThat(pool.metrics().created()).isEqualTo(1);
        assertThat(pool.metrics().waiting()).isZero();
    }

    @Test
    void connectionsBrokenByAServerRestartFailTheirPingAndAreReplaced() throws Exception {
        open(settings().withSizes(2, 4).withValidateAfterIdle(Duration.ofSeconds(1)));
        server.close(); // closes both pooled connections from the server side
        server = startEchoServer();
        advance(Duration.ofSeconds(2)); // idle long enough to be pinged before lending

        try (PooledConnection connection = pool.borrow()) {
            assertThat(connection.request("after restart")).isEqualTo("echo: after restart");
        }
        ConnectionPoolMetrics metrics = pool.metrics();
        assertThat(metrics.validationFailures()).isEqualTo(2);
        assertThat(metrics.destroyed()).isEqualTo(2);
        assertThat(metrics.created()).isEqualTo(3);
        assertThat(metrics.idle()).isEqualTo(1);
    }

    @Test
    void aConnectionThatFailsARequestIsClosedOnReleaseInsteadOfLentAgain() throws Exception {
        open(settings().withSizes(1, 2)); // pings only after an hour idle: the broken one is lent
        server.close();
        server = startEchoServer();

        PooledConnection stale = pool.borrow();
        assertThatThrownBy(() -> stale.request("lost")).isInstanceOf(IOException.class);
        stale.release();
        assertThat(pool.metrics().destroyed()).isEqualTo(1);
        assertThat(pool.metrics().idle()).isZero();
        try (PooledConnection fresh = pool.borrow()) {
            assertThat(fresh.request("fresh")).isEqualTo("echo: fresh");
        }
    }

    @Test
    void idleConnectionsBeyondMinIdleAreEvictedAfterIdleTimeout() throws Exception {
        open(settings().withSizes(1, 4).withIdleTimeout(Duration.ofMinutes(1)));
        List<PooledConnection> three = List.of(pool.borrow(), pool.borrow(), pool.borrow());
        three.forEach(PooledConnection::release);
        assertThat(pool.metrics().idle()).isEqualTo(3);
        Await.until("the server sees 3 connections", AWAIT, () -> server.activeConnections() == 3);

        advance(Duration.ofSeconds(59));
        pool.maintain();
        assertThat(pool.metrics().idle()).isEqualTo(3); // not yet

        advance(Duration.ofSeconds(1));
        pool.maintain();
        assertThat(pool.metrics().idle()).isEqualTo(1); // minIdle stays
        assertThat(pool.metrics().destroyed()).isEqualTo(2);
        Await.until("the server sees the evicted ones close", AWAIT, () -> server.activeConnections() == 1);
    }

    @Test
    void connectionsPastMaxLifetimeAreRetiredAndMinIdleIsRefilledWithNewOnes() throws Exception {
        open(settings().withSizes(2, 4).withMaxLifetime(Duration.ofMinutes(30)));
        PooledConnection lent = pool.borrow();
        advance(Duration.ofMinutes(30));
        pool.maintain();
        ConnectionPoolMetrics metrics = pool.metrics();
        assertThat(metrics.idle()).isEqualTo(2);        // the old idle one closed, two new opened
        assertThat(metrics.destroyed()).isEqualTo(1);
        assertThat(metrics.created()).isEqualTo(4);
        lent.release();                                 // too old: closed instead of kept
        assertThat(pool.metrics().destroyed()).isEqualTo(2);
        assertThat(pool.metrics().idle()).isEqualTo(2);
    }

    @Test
    void aConnectionBorrowedLongerThanTheLeakThresholdIsReportedOnceWithItsBorrowSite() throws Exception {
        open(settings().withSizes(0, 2).withLeakDetectionThreshold(Duration.ofSeconds(5)));
        PooledConnection held = borrowForALongTime();
        advance(Duration.ofSeconds(4));
        pool.maintain();
        assertThat(leaks).isEmpty();

        advance(Duration.ofSeconds(1));
        pool.maintain();
        pool.maintain();
        assertThat(leaks).hasSize(1);
        LeakReport report = leaks.poll();
        assertThat(report.borrowStack()).contains("EchoConnectionPoolTest.borrowForALongTime");
        assertThat(pool.metrics().leakWarnings()).isEqualTo(1);
        held.release();
    }

    @Test
    void doubleReleaseAndUseAfterReleaseThrow() throws Exception {
        open(settings().withSizes(0, 1));
        PooledConnection connection = pool.borrow();
        connection.release();
        assertThatThrownBy(connection::release).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("double release");
        assertThatThrownBy(() -> connection.request("x")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("use after release");
        assertThat(pool.metrics().idle()).isEqualTo(1);
    }

    @Test
    void metricsAddUpAfterManyConcurrentBorrowers() throws Exception {
        open(settings().withSizes(1, 3).withBorrowTimeout(Duration.ofSeconds(20)));
        CountDownLatch start = new CountDownLatch(1);
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Integer>> borrowers = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int id = t;
                borrowers.add(executor.submit(() -> {
                    start.await();
                    int ok = 0;
                    for (int i = 0; i < 100; i++) {
                        try (PooledConnection connection = pool.borrow()) {
                            String line = id + "-" + i;
                            ok += connection.request(line).equals("echo: " + line) ? 1 : 0;
                            ConnectionPoolMetrics during = pool.metrics();
                            assertThat(during.active() + during.idle() + during.pending()).isLessThanOrEqualTo(3);
                        }
                    }
                    return ok;
                }));
            }
            start.countDown();
            for (Future<Integer> borrower : borrowers) {
                assertThat(borrower.get()).isEqualTo(100);
            }
        }
        ConnectionPoolMetrics metrics = pool.metrics();
        assertThat(metrics.active()).isZero();
        assertThat(metrics.waiting()).isZero();
        assertThat(metrics.created() - metrics.destroyed()).isEqualTo(metrics.active() + metrics.idle());
        assertThat(metrics.created()).isLessThanOrEqualTo(3);
        assertThat(metrics.borrowTimeouts()).isZero();
    }

    @Test
    void closeClosesIdleConnectionsAndRefusesBorrows() throws Exception {
        open(settings().withSizes(2, 2));
        Await.until("the server sees 2 connections", AWAIT, () -> server.activeConnections() == 2);
        pool.close();
        assertThatThrownBy(() -> pool.borrow()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        Await.until("the server sees them close", AWAIT, () -> server.activeConnections() == 0);
        assertThat(pool.metrics().destroyed()).isEqualTo(2);
    }

    @Test
    void aHousekeepingThreadEvictsOnItsOwnAndStopsOnClose() throws Exception {
        EchoConnectionPool.Settings settings = EchoConnectionPool.Settings.defaults(server.localAddress())
                .withSizes(0, 2).withIdleTimeout(Duration.ofMillis(20)).withHousekeepingPeriod(Duration.ofMillis(10));
        pool = EchoConnectionPool.open("housekept", settings);
        pool.borrow().release();
        Await.until("the idle connection is evicted by the housekeeper", AWAIT, () -> pool.metrics().idle() == 0);
        assertThat(dev.c1m.echo.testing.LiveThreads.namedLike("housekept-housekeeper")).hasSize(1);
        pool.close();
        // the executor reports termination from the worker's last lines, so its thread may still be finishing
        Await.until("the housekeeper thread ends", AWAIT,
                () -> dev.c1m.echo.testing.LiveThreads.namedLike("housekept-housekeeper").isEmpty());
    }

    private PooledConnection borrowForALongTime() throws Exception {
        return pool.borrow();
    }
}
