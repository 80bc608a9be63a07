package dev.c1m.concurrency;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The mistake: a fixed pool of virtual threads, built to "limit concurrency" or to "save thread
 * creation". Virtual threads are meant to be created per task and thrown away: creating one
 * costs about as much as a small object, so pooling saves nothing, and it brings back everything
 * wrong with pools. Tasks queue without bound behind busy threads, and a reused thread carries
 * one task's {@link ThreadLocal} values into the next (a request's user id, a transaction)
 * unless every task cleans up perfectly.
 *
 * <p>Use {@link java.util.concurrent.Executors#newVirtualThreadPerTaskExecutor()} for the
 * threads and a {@link ConcurrencyLimit} for the limit. Kept as the counter-example that
 * {@code VirtualThreadRulesTest} shows failing.
 */
public final class NaiveVirtualThreadPool {

    private NaiveVirtualThreadPool() {
    }

    /** {@code threads} virtual threads reused for every task, in front of an unbounded queue. */
    public static ExecutorService create(int threads) {
        return Executors.newFixedThreadPool(threads, Thread.ofVirtual().name("pooled-virtual-", 1).factory());
    }
}
