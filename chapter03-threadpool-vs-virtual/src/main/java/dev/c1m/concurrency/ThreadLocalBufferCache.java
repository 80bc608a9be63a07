package dev.c1m.concurrency;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A per-thread cache of one scratch buffer, the classic way to avoid allocating a buffer per
 * request on a pool of platform threads. It works when few long-lived threads serve many tasks:
 * each thread allocates once and then hits its cache.
 *
 * <p>With a virtual thread per task it misbehaves both ways: every task runs on a new thread,
 * so the cache never hits (one allocation per task, the opposite of its purpose), and the
 * buffers live as long as their threads, so a million parked connections hold a million buffers.
 * {@code VirtualThreadRulesTest} counts the first (an allocation per task); the second follows
 * from the first, since each of those buffers stays reachable from its thread. The fix is to
 * pass buffers explicitly or borrow them from a bounded shared pool (chapter 7), never to tie
 * them to threads.
 *
 * <p>Thread-safe; the counter of allocations is shared.
 */
public final class ThreadLocalBufferCache {

    private final AtomicLong allocations = new AtomicLong();
    private final ThreadLocal<byte[]> buffers;

    public ThreadLocalBufferCache(int bufferBytes) {
        this.buffers = ThreadLocal.withInitial(() -> {
            allocations.incrementAndGet();
            return new byte[bufferBytes];
        });
    }

    /** This thread's buffer, allocated on its first call. */
    public byte[] buffer() {
        return buffers.get();
    }

    /** Buffers allocated so far, one per thread that asked. */
    public long allocations() {
        return allocations.get();
    }
}
