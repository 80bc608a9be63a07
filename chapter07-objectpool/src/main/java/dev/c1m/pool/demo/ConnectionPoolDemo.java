package dev.c1m.pool.demo;

import dev.c1m.echo.LineEchoHandler;
import dev.c1m.echo.TcpServer;
import dev.c1m.echo.demo.ConsoleLog;
import dev.c1m.pool.ConnectionPoolMetrics;
import dev.c1m.pool.EchoConnectionPool;
import dev.c1m.pool.PoolTimeoutException;
import dev.c1m.pool.PooledConnection;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Shows {@link EchoConnectionPool} at work against chapter 1's server, printing its metrics twice
 * a second through four acts: busy (8 virtual threads share at most 4 connections), the server
 * restarts (stale connections fail their ping and are replaced), one borrower holds a connection
 * too long (leak warning with its borrow site), and quiet (idle connections evicted to minIdle).
 *
 * <pre>
 * java -cp chapter07-objectpool/target/classes:chapter01-echo/target/classes dev.c1m.pool.demo.ConnectionPoolDemo
 * </pre>
 * Runs about ten seconds; takes no options.
 */
public final class ConnectionPoolDemo {

    private ConnectionPoolDemo() {
    }

    public static void main(String[] args) throws Exception {
        ConsoleLog.oneLinePerRecord();
        TcpServer server = TcpServer.start(new InetSocketAddress("127.0.0.1", 0), new LineEchoHandler());
        int port = server.localAddress().getPort();
        EchoConnectionPool.Settings settings = EchoConnectionPool.Settings.defaults(server.localAddress())
                .withSizes(2, 4).withBorrowTimeout(Duration.ofMillis(500))
                .withValidateAfterIdle(Duration.ofMillis(100)).withIdleTimeout(Duration.ofSeconds(1))
                .withLeakDetectionThreshold(Duration.ofSeconds(1)).withHousekeepingPeriod(Duration.ofMillis(200));
        AtomicLong requests = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        try (EchoConnectionPool pool = EchoConnectionPool.open("demo", settings)) {
            AtomicBoolean busy = startClients(pool, requests, failures);
            act("busy: 8 threads, maxSize 4", pool, requests, failures, 4);
            busy.set(false);

            server.close();
            server = TcpServer.start(new InetSocketAddress("127.0.0.1", port), new LineEchoHandler());
            Thread.sleep(200); // the pooled connections are now idle longer than validateAfterIdle
            busy = startClients(pool, requests, failures);
            act("the server restarted on port " + port + "; idle connections are pinged before use", pool,
                    requests, failures, 4);
            busy.set(false);

            PooledConnection held = pool.borrow();
            act("one borrower holds a connection for 1.5 s", pool, requests, failures, 3);
            held.release();

            act("quiet: idle connections beyond minIdle 2 are evicted after 1 s", pool, requests, failures, 4);
        } finally {
            server.close();
        }
    }

    /** Starts 8 virtual threads that borrow, request and release until the returned flag is cleared. */
    private static AtomicBoolean startClients(EchoConnectionPool pool, AtomicLong requests, AtomicLong failures) {
        AtomicBoolean busy = new AtomicBoolean(true);
        for (int i = 0; i < 8; i++) {
            Thread.ofVirtual().name("client-" + i).start(() -> work(pool, busy, requests, failures));
        }
        return busy;
    }

    private static void work(EchoConnectionPool pool, AtomicBoolean busy, AtomicLong requests, AtomicLong failures) {
        while (busy.get()) {
            try (PooledConnection connection = pool.borrow()) {
                connection.request("hello");
                requests.incrementAndGet();
                Thread.sleep(1);
            } catch (IOException | PoolTimeoutException e) {
                failures.incrementAndGet();
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static void act(String title, EchoConnectionPool pool, AtomicLong requests, AtomicLong failures,
                            int halfSeconds) throws InterruptedException {
        System.out.println("== " + title);
        for (int i = 0; i < halfSeconds; i++) {
            Thread.sleep(500);
            ConnectionPoolMetrics m = pool.metrics();
            System.out.printf("   requests %6d  failed %3d | active %d idle %d waiting %d | created %d destroyed %d"
                            + " | timeouts %d ping failures %d leak warnings %d%n", requests.get(), failures.get(),
                    m.active(), m.idle(), m.waiting(), m.created(), m.destroyed(), m.borrowTimeouts(),
                    m.validationFailures(), m.leakWarnings());
        }
    }
}
