package dev.c1m.pool;

import dev.c1m.echo.EchoProtocol;
import dev.c1m.echo.LineClient;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * A client-side pool of connections to the echo server, built like the database pools the seeds
 * describe (HikariCP's knobs, same names where they exist).
 *
 * <p>Life cycle of one connection:
 * <pre>
 *   (opened) -> IDLE --borrow--> LENT --release--> IDLE
 *                |                 |
 *                |                 +--release, broken or past maxLifetime--> CLOSED
 *                +--maintain(): idle too long (beyond minIdle) or past maxLifetime--> CLOSED
 *                +--borrow: past maxLifetime, or ping failed after validateAfterIdle--> CLOSED
 * </pre>
 *
 * <ul>
 *   <li>{@code maxSize}: connections open or being opened, lent or idle, never exceed it. A
 *       borrow beyond it waits up to {@code borrowTimeout}, then throws
 *       {@link PoolTimeoutException} with the pool's state in the message.</li>
 *   <li>{@code minIdle}: {@link #maintain()} opens connections until that many are idle.</li>
 *   <li>{@code validateAfterIdle}: a connection idle at least this long is pinged (the line
 *       {@code ping} must come back as {@code echo: ping}) before it is lent; a failed ping
 *       closes it and the borrow moves on to another or a new one. This is how a connection
 *       broken by a server restart is detected instead of being handed to the caller.</li>
 *   <li>{@code maxLifetime}: older connections are closed when next idle, so that load
 *       balancers and server restarts never see connections that live forever.</li>
 *   <li>{@code idleTimeout}: {@link #maintain()} closes connections idle longer, down to minIdle.</li>
 *   <li>{@code leakDetectionThreshold}: {@link #maintain()} logs a warning, with the borrow site,
 *       for each connection lent longer than this (once per borrow; 0 turns it off).</li>
 * </ul>
 *
 * <p>Time: idle, lifetime, validation and leak decisions read an injectable nanosecond clock,
 * so tests advance time by hand; only the wait of a blocked borrow uses real time. With a
 * positive {@code housekeepingPeriod} a daemon thread ({@code <name>-housekeeper}) calls
 * {@link #maintain()} periodically; with zero, the owner calls it.
 *
 * <p>Threads: every method may be called from any thread; state is guarded by one lock, never
 * held during network I/O (connect, ping, close happen outside it). Not handled: several
 * servers, per-request timeouts other than the socket's read timeout, fairness among waiters.
 */
public final class EchoConnectionPool implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(EchoConnectionPool.class.getName());
    private static final String PING = "ping";

    private final String name;
    private final Settings settings;
    private final LongSupplier nanoClock;
    private final Consumer<LeakReport> leakListener;
    private final ScheduledExecutorService housekeeper;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition returned = lock.newCondition();
    private final ArrayDeque<PooledConnection> idle = new ArrayDeque<>(); // first = most recently used
    private final Set<PooledConnection> lent = new HashSet<>();
    private int pending;
    private int waiting;
    private long created;
    private long destroyed;
    private long borrowTimeouts;
    private long validationFailures;
    private long leakWarnings;
    private boolean closed;

    /**
     * The pool's knobs; see the class comment for each.
     *
     * @param socketTimeout connect timeout, and read timeout of every request and ping
     */
    public record Settings(InetSocketAddress server, int minIdle, int maxSize, Duration borrowTimeout,
                           Duration socketTimeout, Duration validateAfterIdle, Duration idleTimeout,
                           Duration maxLifetime, Duration leakDetectionThreshold, Duration housekeepingPeriod) {

        public Settings {
            Objects.requireNonNull(server);
            if (maxSize < 1 || minIdle < 0 || minIdle > maxSize) {
                throw new IllegalArgumentException("need 0 <= minIdle <= maxSize and maxSize >= 1, got minIdle "
                        + minIdle + ", maxSize " + maxSize);
            }
        }

        /** minIdle 2, maxSize 10, borrow 1 s, socket 2 s, ping after 500 ms idle, idle 10 min, life 30 min, leaks off, housekeeping every 30 s. */
        public static Settings defaults(InetSocketAddress server) {
            return new Settings(server, 2, 10, Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofMillis(500),
                    Duration.ofMinutes(10), Duration.ofMinutes(30), Duration.ZERO, Duration.ofSeconds(30));
        }

        public Settings withSizes(int minIdle, int maxSize) {
            return new Settings(server, minIdle, maxSize, borrowTimeout, socketTimeout, validateAfterIdle,
                    idleTimeout, maxLifetime, leakDetectionThreshold, housekeepingPeriod);
        }

        public Settings withBorrowTimeout(Duration d) {
            return new Settings(server, minIdle, maxSize, d, socketTimeout, validateAfterIdle, idleTimeout,
                    maxLifetime, leakDetectionThreshold, housekeepingPeriod);
        }

        public Settings withValidateAfterIdle(Duration d) {
            return new Settings(server, minIdle, maxSize, borrowTimeout, socketTimeout, d, idleTimeout,
                    maxLifetime, leakDetectionThreshold, housekeepingPeriod);
        }

        public Settings withIdleTimeout(Duration d) {
            return new Settings(server, minIdle, maxSize, borrowTimeout, socketTimeout, validateAfterIdle, d,
                    maxLifetime, leakDetectionThreshold, housekeepingPeriod);
        }

        public Settings withMaxLifetime(Duration d) {
            return new Settings(server, minIdle, maxSize, borrowTimeout, socketTimeout, validateAfterIdle,
                    idleTimeout, d, leakDetectionThreshold, housekeepingPeriod);
        }

        public Settings withLeakDetectionThreshold(Duration d) {
            return new Settings(server, minIdle, maxSize, borrowTimeout, socketTimeout, validateAfterIdle,
                    idleTimeout, maxLifetime, d, housekeepingPeriod);
        }

        /** {@code Duration.ZERO}: no housekeeping thread; call {@link #maintain()} yourself. */
        public Settings withHousekeepingPeriod(Duration d) {
            return new Settings(server, minIdle, maxSize, borrowTimeout, socketTimeout, validateAfterIdle,
                    idleTimeout, maxLifetime, leakDetectionThreshold, d);
        }
    }

    private EchoConnectionPool(String name, Settings settings, LongSupplier nanoClock,
                               Consumer<LeakReport> leakListener) {
        this.name = name;
        this.settings = settings;
        this.nanoClock = nanoClock;
        this.leakListener = leakListener;
        this.housekeeper = settings.housekeepingPeriod().isPositive()
                ? Executors.newSingleThreadScheduledExecutor(
                        Thread.ofPlatform().daemon().name(name + "-housekeeper").factory())
                : null;
    }

    /** Opens a pool on the real clock, fills it to minIdle, and starts housekeeping if configured. */
    public static EchoConnectionPool open(String name, Settings settings) {
        return open(name, settings, System::nanoTime, report -> { });
    }

    /**
     * Opens a pool with the given clock, filled to minIdle.
     *
     * @param leakListener told of each leak warning, after it is logged
     */
    public static EchoConnectionPool open(String name, Settings settings, LongSupplier nanoClock,
                                          Consumer<LeakReport> leakListener) {
        EchoConnectionPool pool = new EchoConnectionPool(name, settings, nanoClock, leakListener);
        pool.maintain();
        if (pool.housekeeper != null) {
            long period = settings.housekeepingPeriod().toNanos();
            pool.housekeeper.scheduleWithFixedDelay(pool::maintainQuietly, period, period, TimeUnit.NANOSECONDS);
        }
        return pool;
    }

    /** Borrows with the pool's default timeout. */
    public PooledConnection borrow() throws IOException, InterruptedException {
        return borrow(settings.borrowTimeout());
    }

    /**
     * Lends an idle connection that is young enough and, if it was idle long, answers a ping; or
     * opens a new one if the pool is below maxSize; or waits up to {@code timeout} for a release.
     *
     * @throws PoolTimeoutException  if no connection could be had in time
     * @throws IOException           if a new connection could not be opened
     * @throws IllegalStateException if the pool is closed
     */
    public PooledConnection borrow(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            PooledConnection candidate = takeIdleOrReserve(deadline, timeout);
            if (candidate == null) {
                return lend(openReserved());
            }
            if (usable(candidate)) {
                return lend(candidate);
            }
            destroyLent(candidate);
        }
    }

    /** An idle connection (now in the lent set), or null after reserving the right to open one. */
    private PooledConnection takeIdleOrReserve(long deadline, Duration timeout) throws InterruptedException {
        lock.lock();
        try {
            while (true) {
                if (closed) {
                    throw new IllegalStateException("connection pool '" + name + "' is closed");
                }
                PooledConnection connection = idle.pollFirst();
                if (connection != null) {
                    addToLent(connection);
                    return connection;
                }
                if (lent.size() + pending < settings.maxSize()) {
                    pending++;
                    return null;
                }
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    borrowTimeouts++;
                    throw new PoolTimeoutException("connection pool '" + name + "' to " + settings.server()
                            + ": no connection available within " + timeout.toMillis() + " ms; " + lent.size()
                            + " of maxSize " + settings.maxSize() + " are lent, " + (waiting) + " other borrowers"
                            + " waiting. Raise maxSize, or look for connections held too long (leak warnings).");
                }
                waiting++;
                try {
                    returned.awaitNanos(remaining);
                } finally {
                    waiting--;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private PooledConnection openReserved() throws IOException {
        PooledConnection connection;
        try {
            connection = new PooledConnection(this,
                    LineClient.connect(settings.server(), settings.socketTimeout()), nanoClock.getAsLong());
        } catch (IOException | RuntimeException e) {
            lock.lock();
            try {
                pending--;
                returned.signal();
            } finally {
                lock.unlock();
            }
            throw e;
        }
        lock.lock();
        try {
            pending--;
            created++;
            addToLent(connection);
        } finally {
            lock.unlock();
        }
        return connection;
    }

    private boolean usable(PooledConnection connection) {
        long now = nanoClock.getAsLong();
        if (now - connection.createdAtNanos >= settings.maxLifetime().toNanos()) {
            return false;
        }
        if (now - connection.lastUsedAtNanos < settings.validateAfterIdle().toNanos()) {
            return true;
        }
        try {
            if (connection.exchange(PING).equals(EchoProtocol.reply(PING))) {
                return true;
            }
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "pool {0}: ping failed: {1}", name, e.toString());
        }
        lock.lock();
        try {
            validationFailures++;
        } finally {
            lock.unlock();
        }
        return false;
    }

    /**
     * Puts a connection in the lent set, pool lock held. It is not watched for leaks until
     * {@link #lend} records its borrower and the time: a validation ping or a connect in between
     * would otherwise be reported with the previous borrower's site, or none.
     */
    private void addToLent(PooledConnection connection) {
        connection.leakReported = true;
        lent.add(connection);
    }

    private PooledConnection lend(PooledConnection connection) {
        lock.lock();
        try {
            connection.borrowedAtNanos = nanoClock.getAsLong();
            connection.borrowSite = settings.leakDetectionThreshold().isPositive()
                    ? new Throwable("borrowed from connection pool '" + name + "' by thread '"
                            + Thread.currentThread().getName() + "' here")
                    : null;
            connection.leakReported = false;
        } finally {
            lock.unlock();
        }
        connection.lent(true);
        return connection;
    }

    void release(PooledConnection connection) {
        boolean keep;
        lock.lock();
        try {
            if (!lent.remove(connection)) {
                throw new IllegalStateException("double release: this connection was already given back to pool '"
                        + name + "'");
            }
            connection.lent(false);
            long now = nanoClock.getAsLong();
            keep = !closed && !connection.isBroken()
                    && now - connection.createdAtNanos < settings.maxLifetime().toNanos();
            if (keep) {
                connection.lastUsedAtNanos = now;
                idle.addFirst(connection);
            } else {
                destroyed++;
            }
            returned.signal();
        } finally {
            lock.unlock();
        }
        if (!keep) {
            connection.closeSocket();
        }
    }

    private void destroyLent(PooledConnection connection) {
        lock.lock();
        try {
            lent.remove(connection);
            destroyed++;
            returned.signal();
        } finally {
            lock.unlock();
        }
        connection.closeSocket();
    }

    /**
     * Housekeeping: closes idle connections past maxLifetime, and those idle longer than
     * idleTimeout (oldest first, keeping minIdle); warns about connections lent longer than the
     * leak threshold; then opens connections until minIdle are idle. Network I/O happens outside
     * the lock. Failures to connect are logged, not thrown.
     */
    public void maintain() {
        List<PooledConnection> retired = new ArrayList<>();
        List<LeakReport> leaks = new ArrayList<>();
        int toOpen;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            long now = nanoClock.getAsLong();
            retireIdle(now, retired);
            findLeaks(now, leaks);
            toOpen = Math.min(settings.minIdle() - idle.size() - pending,
                    settings.maxSize() - lent.size() - idle.size() - pending);
            toOpen = Math.max(0, toOpen);
            pending += toOpen;
        } finally {
            lock.unlock();
        }
        retired.forEach(PooledConnection::closeSocket);
        leaks.forEach(this::warnLeak);
        for (int i = 0; i < toOpen; i++) {
            openIdle();
        }
    }

    private void retireIdle(long now, List<PooledConnection> retired) {
        Iterator<PooledConnection> oldestFirst = idle.descendingIterator();
        while (oldestFirst.hasNext()) {
            PooledConnection connection = oldestFirst.next();
            boolean expired = now - connection.createdAtNanos >= settings.maxLifetime().toNanos();
            boolean idleTooLong = now - connection.lastUsedAtNanos >= settings.idleTimeout().toNanos()
                    && idle.size() > settings.minIdle();
            if (expired || idleTooLong) {
                oldestFirst.remove();
                destroyed++;
                retired.add(connection);
            }
        }
    }

    private void findLeaks(long now, List<LeakReport> leaks) {
        if (!settings.leakDetectionThreshold().isPositive()) {
            return;
        }
        for (PooledConnection connection : lent) {
            if (!connection.leakReported
                    && now - connection.borrowedAtNanos >= settings.leakDetectionThreshold().toNanos()) {
                connection.leakReported = true;
                leakWarnings++;
                leaks.add(new LeakReport(name, connection.borrowSite));
            }
        }
    }

    private void warnLeak(LeakReport report) {
        LOG.log(Level.WARNING, "possible leak: a connection of pool '" + name + "' has been lent for more than "
                + settings.leakDetectionThreshold().toMillis() + " ms", report.borrowSite());
        leakListener.accept(report);
    }

    private void openIdle() {
        PooledConnection connection = null;
        try {
            connection = new PooledConnection(this,
                    LineClient.connect(settings.server(), settings.socketTimeout()), nanoClock.getAsLong());
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "pool {0}: could not open a connection to {1}: {2}", name, settings.server(),
                    e.toString());
        }
        boolean keep = false;
        lock.lock();
        try {
            pending--;
            if (connection != null) {
                created++;
                keep = !closed;
                if (keep) {
                    idle.addFirst(connection);
                } else {
                    destroyed++;
                }
            }
            returned.signal();
        } finally {
            lock.unlock();
        }
        if (connection != null && !keep) {
            connection.closeSocket();
        }
    }

    private void maintainQuietly() {
        try {
            maintain();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "pool " + name + ": housekeeping failed", e);
        }
    }

    /** A consistent snapshot of the pool's state and counters. */
    public ConnectionPoolMetrics metrics() {
        lock.lock();
        try {
            return new ConnectionPoolMetrics(lent.size(), idle.size(), pending, waiting, created, destroyed,
                    borrowTimeouts, validationFailures, leakWarnings);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Closes idle connections and stops housekeeping; lent connections are closed when released;
     * waiting and later borrows throw {@link IllegalStateException}. Idempotent.
     */
    @Override
    public void close() {
        List<PooledConnection> toClose;
        lock.lock();
        try {
            closed = true;
            toClose = new ArrayList<>(idle);
            destroyed += idle.size();
            idle.clear();
            returned.signalAll();
        } finally {
            lock.unlock();
        }
        if (housekeeper != null) {
            housekeeper.shutdownNow();
            try {
                housekeeper.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        toClose.forEach(PooledConnection::closeSocket);
    }
}
