package dev.c1m.pool;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * A bounded pool of direct {@link ByteBuffer}s in size classes, carved from large direct slabs:
 * the buffer allocator for an event loop that must not allocate per message.
 *
 * <pre>
 *   size classes (default)      one slab per refill, sliced into equal buffers
 *   +--------+                  +------+------+------+-- ... --+------+
 *   |   256  | ---------------> | 256  | 256  | 256  |         | 256  |  1 MiB slab
 *   |   1 KiB|                  +------+------+------+-- ... --+------+
 *   |   4 KiB|                  +-------------+-------------+-- ... --+
 *   |  16 KiB| ---------------> |   16 KiB    |   16 KiB    |         |  1 MiB slab
 *   |  64 KiB|                  +-------------+-------------+-- ... --+
 *   +--------+   free list per class: a LIFO stack of slots (the last freed is the warmest)
 * </pre>
 *
 * <p>{@link #acquire(int) acquire(n)} returns a {@link PooledBuffer} of the smallest class that
 * holds {@code n} bytes, position 0, limit = capacity, contents unspecified (the previous
 * owner's bytes). The owner calls {@link PooledBuffer#release()} exactly once. Why slabs: one
 * {@code allocateDirect} costs a system call, a {@code Cleaner} and zeroing; carving a 1 MiB slab
 * into slices pays that once per slab and keeps the memory contiguous.
 *
 * <p>Bound: slabs are allocated lazily, and only while the total stays within
 * {@link Settings#maxBytes()}; after that, an acquire with no free buffer of its class throws
 * {@link BufferPoolExhaustedException} at once (it never waits: event loops must not block).
 * Slabs are never returned to the operating system while the pool lives (a pool sized for the
 * peak keeps the peak).
 *
 * <p>Misuse: a double release throws at once. Leaks are sampled with a {@link LeakDetector}
 * ({@link Settings#leakSamplingInterval()}); a leaked buffer is reported with its borrow site but
 * its memory is <em>not</em> reused, because a view of it may still be in use even though the
 * handle is gone. In debug mode ({@link Settings#debug()}) every acquire gets a fresh handle and
 * view and is tracked for leaks; a release makes that view unusable (limit 0: every get and put
 * throws) and fills the memory with {@code 0xDE}; the next acquire of that memory checks the
 * fill, so a write through a stale view is reported with the site of the release before it.
 * Debug mode allocates per acquire: use it in tests and staging.
 *
 * <p>Allocation: in the normal mode, acquire and release allocate nothing, except on the
 * sampled acquires (one in {@code leakSamplingInterval}), which record a stack trace.
 *
 * <p>Threads: every method may be called from any thread; each size class has its own lock, held
 * for a few instructions (and for one {@code allocateDirect} when a class grows). An event loop
 * that wants no lock at all can own a pool of its own. Not handled: per-thread caches, returning
 * memory to the OS, buffers bigger than the largest class (allocate those yourself).
 */
public final class BufferPool {

    static final byte POISON = (byte) 0xDE;

    private final String name;
    private final Settings settings;
    private final SizeClass[] classes;
    private final LeakDetector leakDetector;
    private final AtomicLong reservedBytes = new AtomicLong();
    private final LongAdder exhausted = new LongAdder();
    private final LongAdder leaked = new LongAdder();

    /**
     * What a pool is made of.
     *
     * @param sizeClasses          buffer capacities, ascending
     * @param slabBytes            bytes per slab; a class's slab holds {@code slabBytes / size}
     *                             buffers (at least one)
     * @param maxBytes             the bound on all slabs together
     * @param leakSamplingInterval track one acquire in this many for leaks (0 = off, 1 = all)
     * @param debug                detect use after release (see the class comment); allocates
     */
    public record Settings(List<Integer> sizeClasses, int slabBytes, long maxBytes, int leakSamplingInterval,
                           boolean debug) {

        public Settings {
            sizeClasses = List.copyOf(sizeClasses);
            if (sizeClasses.isEmpty()) {
                throw new IllegalArgumentException("at least one size class is needed");
            }
            for (int i = 0; i < sizeClasses.size(); i++) {
                if (sizeClasses.get(i) < 1 || (i > 0 && sizeClasses.get(i) <= sizeClasses.get(i - 1))) {
                    throw new IllegalArgumentException("size classes must be positive and ascending: " + sizeClasses);
                }
            }
            if (slabBytes < 1 || maxBytes < 1 || leakSamplingInterval < 0) {
                throw new IllegalArgumentException("slabBytes and maxBytes must be positive, the sampling interval >= 0");
            }
        }

        /** 256 B, 1, 4, 16 and 64 KiB classes; 1 MiB slabs; 64 MiB in all; one acquire in 128 tracked. */
        public static Settings defaults() {
            return new Settings(List.of(256, 1024, 4096, 16 * 1024, 64 * 1024), 1024 * 1024, 64L * 1024 * 1024, 128,
                    false);
        }

        public Settings withSizeClasses(List<Integer> classes) {
            return new Settings(classes, slabBytes, maxBytes, leakSamplingInterval, debug);
        }

        public Settings withSlabBytes(int bytes) {
            return new Settings(sizeClasses, bytes, maxBytes, leakSamplingInterval, debug);
        }

        public Settings withMaxBytes(long bytes) {
            return new Settings(sizeClasses, slabBytes, bytes, leakSamplingInterval, debug);
        }

        public Settings withLeakSamplingInterval(int interval) {
            return new Settings(sizeClasses, slabBytes, maxBytes, interval, debug);
        }

        public Settings withDebug(boolean on) {
            return new Settings(sizeClasses, slabBytes, maxBytes, leakSamplingInterval, on);
        }
    }

    public BufferPool(String name, Settings settings) {
        this(name, settings, report -> { });
    }

    /** @param leakListener told of each leak found (after it is logged), on the cleaner thread */
    public BufferPool(String name, Settings settings, Consumer<LeakReport> leakListener) {
        this.name = name;
        this.settings = settings;
        this.leakDetector = new LeakDetector(name, settings.leakSamplingInterval(), leakListener);
        this.classes = settings.sizeClasses().stream()
                .map(size -> new SizeClass(size, Math.max(1, settings.slabBytes() / size)))
                .toArray(SizeClass[]::new);
    }

    /**
     * A buffer of at least {@code minBytes}: direct, from the smallest class that fits,
     * position 0, limit = capacity.
     *
     * @throws IllegalArgumentException     if {@code minBytes} exceeds the largest class
     * @throws BufferPoolExhaustedException if the pool is at its bound and that class has no free buffer
     * @throws IllegalStateException        in debug mode, if the memory was written after its last release
     */
    public PooledBuffer acquire(int minBytes) {
        SizeClass sizeClass = classFor(minBytes);
        Slot slot = sizeClass.take();
        if (slot == null) {
            exhausted.increment();
            throw new BufferPoolExhaustedException("buffer pool '" + name + "' is at its bound of "
                    + settings.maxBytes() + " bytes and has no free " + sizeClass.bufferBytes + "-byte buffer ("
                    + sizeClass.inUse() + " in use): release buffers, or raise maxBytes");
        }
        if (settings.debug()) {
            checkUntouchedSinceRelease(slot);
        }
        boolean track = settings.debug() || leakDetector.sample();
        PooledBuffer handle = settings.debug() ? new PooledBuffer(slot, slot.memory.duplicate())
                : track ? new PooledBuffer(slot, slot.memory)
                : slot.handle;
        handle.view().clear();
        handle.markLent(track ? leakDetector.track(handle, leaked::increment) : null);
        return handle;
    }

    private SizeClass classFor(int minBytes) {
        for (SizeClass sizeClass : classes) {
            if (sizeClass.bufferBytes >= minBytes) {
                return sizeClass;
            }
        }
        throw new IllegalArgumentException("buffer pool '" + name + "': " + minBytes
                + " bytes is more than the largest size class (" + classes[classes.length - 1].bufferBytes + ")");
    }

    void release(PooledBuffer handle) {
        if (!handle.markReturned()) {
            throw new IllegalStateException("double release: this " + handle.capacity()
                    + "-byte buffer was already given back to pool '" + name + "'");
        }
        Slot slot = handle.slot;
        if (settings.debug()) {
            handle.view().limit(0);
            for (int i = 0; i < slot.memory.capacity(); i++) {
                slot.memory.put(i, POISON);
            }
            slot.releasedAt = new Throwable("released here, on thread '" + Thread.currentThread().getName() + "'");
        }
        slot.sizeClass.give(slot);
    }

    private void checkUntouchedSinceRelease(Slot slot) {
        ByteBuffer memory = slot.memory;
        for (int i = 0; i < memory.capacity(); i++) {
            if (memory.get(i) != POISON) {
                Throwable releasedAt = slot.releasedAt;
                for (int j = 0; j < memory.capacity(); j++) {
                    memory.put(j, POISON);
                }
                slot.sizeClass.give(slot);
                throw new IllegalStateException("use after release: a " + memory.capacity()
                        + "-byte buffer of pool '" + name + "' was written at offset " + i
                        + " after it was released; the release is the cause below", releasedAt);
            }
        }
    }

    /** Buffers currently acquired and not released, in all classes (leaked ones included). */
    public int inUse() {
        int total = 0;
        for (SizeClass sizeClass : classes) {
            total += sizeClass.inUse();
        }
        return total;
    }

    /** Buffers currently acquired from the class of capacity {@code classBytes}. */
    public int inUse(int classBytes) {
        for (SizeClass sizeClass : classes) {
            if (sizeClass.bufferBytes == classBytes) {
                return sizeClass.inUse();
            }
        }
        throw new IllegalArgumentException("no size class of " + classBytes + " bytes");
    }

    /** Direct memory taken by slabs so far; never above {@link Settings#maxBytes()}. */
    public long reservedBytes() {
        return reservedBytes.get();
    }

    /** Acquires refused because the pool was at its bound. */
    public long exhaustedCount() {
        return exhausted.sum();
    }

    /** Leaks found (handles collected without release). */
    public long leaksReported() {
        return leaked.sum();
    }

    private boolean reserve(long bytes) {
        long current;
        do {
            current = reservedBytes.get();
            if (current + bytes > settings.maxBytes()) {
                return false;
            }
        } while (!reservedBytes.compareAndSet(current, current + bytes));
        return true;
    }

    /** One buffer's worth of slab memory, with its reusable handle. */
    static final class Slot {
        final SizeClass sizeClass;
        final ByteBuffer memory;
        final PooledBuffer handle;
        Throwable releasedAt; // debug mode only; guarded by the class lock hand-off

        private Slot(SizeClass sizeClass, ByteBuffer memory) {
            this.sizeClass = sizeClass;
            this.memory = memory;
            this.handle = new PooledBuffer(this, memory);
        }

        BufferPool pool() {
            return sizeClass.pool();
        }
    }

    /** The free slots of one capacity; state guarded by its lock. */
    final class SizeClass {
        final int bufferBytes;
        private final int buffersPerSlab;
        private final ReentrantLock lock = new ReentrantLock();
        private final ArrayDeque<Slot> free = new ArrayDeque<>();
        private int inUse;

        SizeClass(int bufferBytes, int buffersPerSlab) {
            this.bufferBytes = bufferBytes;
            this.buffersPerSlab = buffersPerSlab;
        }

        BufferPool pool() {
            return BufferPool.this;
        }

        /** A free slot, carving a new slab if the bound allows; null if none. */
        Slot take() {
            lock.lock();
            try {
                Slot slot = free.pollFirst();
                long slabBytes = (long) bufferBytes * buffersPerSlab;
                if (slot == null && reserve(slabBytes)) {
                    try {
                        carveSlab();
                    } catch (OutOfMemoryError directMemoryFull) { // -XX:MaxDirectMemorySize below maxBytes
                        reservedBytes.addAndGet(-slabBytes);
                        throw directMemoryFull;
                    }
                    slot = free.pollFirst();
                }
                if (slot != null) {
                    inUse++;
                }
                return slot;
            } finally {
                lock.unlock();
            }
        }

        void give(Slot slot) {
            lock.lock();
            try {
                free.addFirst(slot);
                inUse--;
            } finally {
                lock.unlock();
            }
        }

        private void carveSlab() {
            ByteBuffer slab = ByteBuffer.allocateDirect(bufferBytes * buffersPerSlab);
            for (int i = buffersPerSlab - 1; i >= 0; i--) {
                Slot slot = new Slot(this, slab.slice(i * bufferBytes, bufferBytes));
                if (settings.debug()) {
                    for (int j = 0; j < bufferBytes; j++) {
                        slot.memory.put(j, POISON);
                    }
                }
                free.addFirst(slot);
            }
        }

        int inUse() {
            lock.lock();
            try {
                return inUse;
            } finally {
                lock.unlock();
            }
        }
    }
}
