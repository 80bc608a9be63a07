package dev.c1m.concurrency;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bounded pool of platform threads for the work behind requests, kept apart from the threads
 * that do the connections' I/O (the seeds' worker pool). Connections may be many and mostly idle;
 * CPU-heavy or resource-bound work should run at a fixed, small parallelism.
 *
 * <p>Sizing ({@link Sizing}): {@code coreThreads} always live; up to {@code maxThreads} when the
 * queue is full; extra threads retire after {@code keepAlive} idle. Note {@link ThreadPoolExecutor}'s
 * rule, which surprises many: it starts threads beyond the core <em>only once the queue is
 * full</em>, so with a large queue an elastic pool behaves like a fixed one. A fixed pool is
 * {@code core == max}. When threads and queue are all taken, the {@link Backpressure} policy
 * decides.
 *
 * <p>Thread-safe: {@link #submit} may be called from any number of threads. Not handled: task
 * priorities, per-client fairness, cancellation of running work on close (close waits).
 */
public final class WorkerPool implements AutoCloseable {

    /** Thread counts, idle retirement and queue size of a {@link WorkerPool}. */
    public record Sizing(int coreThreads, int maxThreads, Duration keepAlive, int queueCapacity) {

        public Sizing {
            if (coreThreads < 1 || maxThreads < coreThreads || queueCapacity < 1) {
                throw new IllegalArgumentException("need 1 <= core <= max and a queue of at least 1, got " + this);
            }
        }

        /** {@code threads} threads that never retire. */
        public static Sizing fixed(int threads, int queueCapacity) {
            return new Sizing(threads, threads, Duration.ZERO, queueCapacity);
        }

        /** Between {@code core} and {@code max} threads; extra threads retire after {@code keepAlive} idle. */
        public static Sizing elastic(int core, int max, Duration keepAlive, int queueCapacity) {
            return new Sizing(core, max, keepAlive, queueCapacity);
        }
    }

    private final ThreadPoolExecutor executor;
    private final AtomicLong rejected = new AtomicLong();

    private WorkerPool(ThreadPoolExecutor executor) {
        this.executor = executor;
    }

    /**
     * A pool named {@code name} (threads {@code name-1}, ...). Threads start on demand; they are
     * not prestarted, because a prestarted pool hands tasks over through the queue, and a small
     * queue can then be full while a thread is still idle.
     */
    public static WorkerPool start(String name, Sizing sizing, Backpressure backpressure) {
        ThreadPoolExecutor executor = new ThreadPoolExecutor(sizing.coreThreads(), sizing.maxThreads(),
                sizing.keepAlive().toNanos(), TimeUnit.NANOSECONDS, new ArrayBlockingQueue<>(sizing.queueCapacity()),
                Thread.ofPlatform().name(name + "-", 1).factory(), backpressure.handler());
        return new WorkerPool(executor);
    }

    /**
     * Runs {@code work} on a worker, or as the backpressure policy says when the pool is full.
     *
     * @throws RejectedExecutionException under {@link Backpressure#REJECT_WITH_BUSY} when full,
     *                                    or after {@link #close()}
     */
    public <T> Future<T> submit(Callable<T> work) {
        try {
            return executor.submit(work);
        } catch (RejectedExecutionException e) {
            rejected.incrementAndGet();
            throw e;
        }
    }

    /** Worker threads alive now. */
    public int threads() {
        return executor.getPoolSize();
    }

    /** Tasks waiting in the queue now. */
    public int queued() {
        return executor.getQueue().size();
    }

    /** Submissions refused since start. */
    public long rejected() {
        return rejected.get();
    }

    /** Refuses new work, lets queued and running work finish, and waits for the workers to exit. */
    @Override
    public void close() {
        executor.close();
    }
}
