package dev.c1m.pool;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A bounded pool of reusable objects: at most {@code maxSize} exist, a borrower waits up to a
 * timeout for one, and hooks reset objects on release and validate them on borrow.
 *
 * <p>Design, and why:
 * <ul>
 *   <li><b>Bound and waiting</b>: a {@link Semaphore} with {@code maxSize} permits. A borrow takes
 *       a permit (waiting up to the timeout, then {@link PoolTimeoutException}), a release
 *       returns it. The uncontended path is a few atomic operations and allocates nothing.</li>
 *   <li><b>Idle objects</b>: an array of {@code maxSize} slots, each empty or holding an idle
 *       object. A thread starts its search, and puts objects back, at a slot chosen from its
 *       thread id, so threads mostly touch different slots (low contention) and a thread tends to
 *       get back the object it just returned (warm in its cache). This gives most of what a
 *       per-thread cache gives without one per thread: see {@link NaiveThreadLocalCache} for why
 *       a {@code ThreadLocal} cache is wrong with a million virtual threads.</li>
 *   <li><b>Creation</b>: lazy, when no idle object is found, and never beyond {@code maxSize}
 *       (an atomic count of existing objects). A permit holder that finds no idle object and may
 *       not create one knows one is on its way back (every other existing object is held by a
 *       different permit holder, and releases put the object back before the permit), so it
 *       spins briefly.</li>
 *   <li><b>Hooks</b>: {@code reset} runs on release, on the releasing thread, so an object never
 *       carries one borrower's state to the next; {@code validate} runs on borrow for idle
 *       objects, and a failing object is destroyed and replaced; {@code destroy} runs when an
 *       object leaves the pool. A hook that throws gets its object destroyed.</li>
 *   <li><b>Leaks</b>: sampled borrows are watched by a {@link LeakDetector}; a leaked object is
 *       reported with its borrow site and its capacity is given back (the object is garbage, so
 *       nobody can still be using it).</li>
 * </ul>
 *
 * <p>Virtual threads: waiting is done by the semaphore, which parks a virtual thread without
 * pinning its carrier; hooks run on the caller's thread and should not block for long.
 *
 * <p>Threads: every method may be called from any thread. Not handled: fairness between
 * waiters (the semaphore is non-fair, which is faster), shrinking when idle (see
 * {@link EchoConnectionPool} for idle eviction), borrowing several objects at once (two
 * borrowers each holding one and waiting for a second can deadlock, as with any pool).
 */
public final class ObjectPool<T> implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ObjectPool.class.getName());
    private static final int SPINS_BEFORE_YIELD = 64;

    private final String name;
    private final Supplier<? extends T> factory;
    private final Consumer<? super T> reset;
    private final Predicate<? super T> validate;
    private final Consumer<? super T> destroy;
    private final int maxSize;
    private final Duration borrowTimeout;
    private final LeakDetector leakDetector;

    private final Semaphore permits;
    private final AtomicReferenceArray<Pooled<T>> idleSlots;
    private final AtomicInteger idleCount = new AtomicInteger();
    private final AtomicInteger existing = new AtomicInteger();
    private final LongAdder created = new LongAdder();
    private final LongAdder destroyed = new LongAdder();
    private final LongAdder timeouts = new LongAdder();
    private volatile boolean closed;

    private ObjectPool(Builder<T> b) {
        this.name = b.name;
        this.factory = b.factory;
        this.reset = b.reset;
        this.validate = b.validate;
        this.destroy = b.destroy;
        this.maxSize = b.maxSize;
        this.borrowTimeout = b.borrowTimeout;
        this.leakDetector = b.leakDetector != null ? b.leakDetector : LeakDetector.sampling(b.name, 128);
        this.permits = new Semaphore(maxSize);
        this.idleSlots = new AtomicReferenceArray<>(maxSize);
    }

    /** Starts a pool of objects made by {@code factory}. */
    public static <T> Builder<T> builder(String name, Supplier<? extends T> factory) {
        return new Builder<>(name, factory);
    }

    public String name() {
        return name;
    }

    /** Borrows with the pool's default timeout. */
    public Pooled<T> borrow() throws InterruptedException {
        return borrow(borrowTimeout);
    }

    /**
     * Borrows an object, waiting up to {@code timeout} for one to be released if all
     * {@code maxSize} are borrowed.
     *
     * @throws PoolTimeoutException  if none became free in time
     * @throws IllegalStateException if the pool is closed
     */
    public Pooled<T> borrow(Duration timeout) throws InterruptedException {
        checkOpen();
        if (!permits.tryAcquire() && !permits.tryAcquire(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
            timeouts.increment();
            throw new PoolTimeoutException("pool '" + name + "': no object free within " + timeout.toMillis()
                    + " ms; all " + maxSize + " are borrowed (" + permits.getQueueLength()
                    + " other threads waiting). Raise maxSize or find who holds them too long.");
        }
        try {
            checkOpen(); // closed while this borrower waited
            Pooled<T> pooled = idleOrNew();
            pooled.markLent(leakDetector.sample() ? leakDetector.track(pooled, this::forgetLeaked) : null);
            return pooled;
        } catch (RuntimeException | Error e) {
            permits.release();
            throw e;
        }
    }

    private Pooled<T> idleOrNew() {
        int spins = 0;
        while (true) {
            Pooled<T> pooled = takeIdle();
            if (pooled != null) {
                if (isValid(pooled)) {
                    return pooled;
                }
                discard(pooled);
                continue;
            }
            if (reserveCreation()) {
                return create();
            }
            if (++spins % SPINS_BEFORE_YIELD == 0) {
                Thread.yield(); // the releasing thread may need our core to finish putting it back
            } else {
                Thread.onSpinWait();
            }
        }
    }

    private boolean isValid(Pooled<T> pooled) {
        try {
            return validate.test(pooled.object());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "pool '" + name + "': validation hook failed; destroying the object", e);
            return false;
        }
    }

    private Pooled<T> takeIdle() {
        if (idleCount.get() == 0) {
            return null;
        }
        int start = homeSlot();
        for (int i = 0; i < maxSize; i++) {
            int slot = (start + i) % maxSize;
            Pooled<T> candidate = idleSlots.get(slot);
            if (candidate != null && idleSlots.compareAndSet(slot, candidate, null)) {
                idleCount.decrementAndGet();
                return candidate;
            }
        }
        return null;
    }

    private void putIdle(Pooled<T> pooled) {
        int start = homeSlot();
        for (int i = 0; ; i++) { // terminates: at most maxSize - 1 other objects are idle
            int slot = (start + i) % maxSize;
            if (idleSlots.get(slot) == null && idleSlots.compareAndSet(slot, null, pooled)) {
                idleCount.incrementAndGet();
                return;
            }
        }
    }

    private int homeSlot() {
        long id = Thread.currentThread().threadId();
        return (int) ((id * 0x9E3779B97F4A7C15L) >>> 33) % maxSize;
    }

    private boolean reserveCreation() {
        int n;
        do {
            n = existing.get();
            if (n >= maxSize) {
                return false;
            }
        } while (!existing.compareAndSet(n, n + 1));
        return true;
    }

    private Pooled<T> create() {
        try {
            Pooled<T> pooled = new Pooled<>(this, Objects.requireNonNull(factory.get(), "factory returned null"));
            created.increment();
            return pooled;
        } catch (RuntimeException | Error e) {
            existing.decrementAndGet();
            throw e;
        }
    }

    void release(Pooled<T> pooled) {
        if (!pooled.markReturned()) {
            throw new IllegalStateException("double release: this " + pooled.object().getClass().getSimpleName()
                    + " was already given back to pool '" + name + "'");
        }
        if (closed || !resetOk(pooled)) {
            discard(pooled);
        } else {
            putIdle(pooled);
            if (closed) {
                destroyIdle(); // close() ran while this was being reset: its sweep may have missed it
            }
        }
        permits.release();
    }

    private boolean resetOk(Pooled<T> pooled) {
        try {
            reset.accept(pooled.object());
            return true;
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "pool '" + name + "': reset hook failed; destroying the object", e);
            return false;
        }
    }

    private void discard(Pooled<T> pooled) {
        try {
            destroy.accept(pooled.object());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "pool '" + name + "': destroy hook failed", e);
        } finally {
            existing.decrementAndGet();
            destroyed.increment();
        }
    }

    /** Cleaner thread: a borrowed object was collected unreleased; free its place in the pool. */
    private void forgetLeaked() {
        existing.decrementAndGet();
        destroyed.increment();
        permits.release();
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("pool '" + name + "' is closed");
        }
    }

    /** Objects borrowed right now. */
    public int borrowed() {
        return maxSize - permits.availablePermits();
    }

    /** Objects waiting in the pool right now. */
    public int idle() {
        return idleCount.get();
    }

    /** Objects in existence (idle, borrowed, or leaked but not yet collected). Never above maxSize. */
    public int existing() {
        return existing.get();
    }

    public long created() {
        return created.sum();
    }

    public long destroyed() {
        return destroyed.sum();
    }

    /** Borrows that gave up after their timeout. */
    public long timeouts() {
        return timeouts.sum();
    }

    /**
     * Refuses new borrows and destroys idle objects; borrowed ones are destroyed as they are
     * released. Idempotent.
     */
    @Override
    public void close() {
        closed = true;
        destroyIdle();
    }

    /**
     * Destroys whatever is idle. After {@code closed} is set, a release either sees it and
     * destroys its object itself, or puts the object back and then sees it and calls this: no
     * object can stay idle in a closed pool.
     */
    private void destroyIdle() {
        Pooled<T> pooled;
        while ((pooled = takeIdle()) != null) {
            discard(pooled);
        }
    }

    /** Configures an {@link ObjectPool}; every hook defaults to doing nothing. */
    public static final class Builder<T> {
        private final String name;
        private final Supplier<? extends T> factory;
        private Consumer<? super T> reset = object -> { };
        private Predicate<? super T> validate = object -> true;
        private Consumer<? super T> destroy = object -> { };
        private int maxSize = Runtime.getRuntime().availableProcessors() * 4;
        private Duration borrowTimeout = Duration.ofSeconds(1);
        private LeakDetector leakDetector;

        private Builder(String name, Supplier<? extends T> factory) {
            this.name = Objects.requireNonNull(name);
            this.factory = Objects.requireNonNull(factory);
        }

        /** The most objects that may exist at once (default 4 per core). */
        public Builder<T> maxSize(int maxSize) {
            if (maxSize < 1) {
                throw new IllegalArgumentException("maxSize must be at least 1, got " + maxSize);
            }
            this.maxSize = maxSize;
            return this;
        }

        /** How long {@link #borrow()} waits for a free object (default 1 s). */
        public Builder<T> borrowTimeout(Duration borrowTimeout) {
            this.borrowTimeout = Objects.requireNonNull(borrowTimeout);
            return this;
        }

        /** Clears an object's state when it is released, before anyone else can borrow it. */
        public Builder<T> resetOnRelease(Consumer<? super T> reset) {
            this.reset = Objects.requireNonNull(reset);
            return this;
        }

        /** Checks an idle object before it is lent; false destroys it and tries another. */
        public Builder<T> validateOnBorrow(Predicate<? super T> validate) {
            this.validate = Objects.requireNonNull(validate);
            return this;
        }

        /** Frees an object's resources when the pool drops it. */
        public Builder<T> destroyWith(Consumer<? super T> destroy) {
            this.destroy = Objects.requireNonNull(destroy);
            return this;
        }

        /** Default: {@link LeakDetector#sampling} one borrow in 128, logging only. */
        public Builder<T> leakDetector(LeakDetector leakDetector) {
            this.leakDetector = Objects.requireNonNull(leakDetector);
            return this;
        }

        public ObjectPool<T> build() {
            return new ObjectPool<>(this);
        }
    }
}
