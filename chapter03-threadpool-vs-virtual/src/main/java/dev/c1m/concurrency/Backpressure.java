package dev.c1m.concurrency;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RejectedExecutionHandler;
import java.util.concurrent.TimeUnit;

/**
 * What a {@link WorkerPool} does with new work when every thread is busy and its queue is full.
 * There is no fourth answer that is safe: an unbounded queue only postpones the choice until
 * memory runs out.
 *
 * <ul>
 *   <li>{@link #BLOCK_PRODUCER}: the submitting thread waits for a free queue slot. Nothing is
 *       lost and the slowdown travels upstream: the connection's thread stops reading, its
 *       socket buffer fills, TCP flow control stops the client. Right when every request must
 *       be served and clients tolerate latency; wrong when a blocked producer holds something
 *       others need.</li>
 *   <li>{@link #REJECT_WITH_BUSY}: the submission fails at once and the caller answers
 *       {@code error: busy}. Latency stays bounded and the client decides whether to retry.
 *       Right for interactive services under overload.</li>
 *   <li>{@link #CALLER_RUNS}: the submitting thread does the work itself. Nothing is lost and
 *       the producer is slowed down by exactly one task's duration; but the work now runs
 *       outside the pool's limit, so the pool no longer bounds concurrency.</li>
 * </ul>
 *
 * <p>Each constant is a {@link RejectedExecutionHandler}, called by the pool on the submitting
 * thread. Stateless.
 */
public enum Backpressure {

    BLOCK_PRODUCER {
        @Override
        RejectedExecutionHandler handler() {
            return (task, pool) -> {
                try {
                    while (!pool.getQueue().offer(task, 50, TimeUnit.MILLISECONDS)) {
                        if (pool.isShutdown()) {
                            throw new RejectedExecutionException("worker pool shut down");
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new RejectedExecutionException("interrupted while waiting for queue space", e);
                }
                // Queued behind a shutdown that began while we waited: no worker may take it.
                if (pool.isShutdown() && pool.remove(task)) {
                    throw new RejectedExecutionException("worker pool shut down");
                }
            };
        }
    },

    REJECT_WITH_BUSY {
        @Override
        RejectedExecutionHandler handler() {
            return (task, pool) -> {
                throw new RejectedExecutionException("busy");
            };
        }
    },

    CALLER_RUNS {
        @Override
        RejectedExecutionHandler handler() {
            // Not the JDK's CallerRunsPolicy: after shutdown it drops the task without a word, and
            // a caller waiting on the task's Future would wait for ever.
            return (task, pool) -> {
                if (pool.isShutdown()) {
                    throw new RejectedExecutionException("worker pool shut down");
                }
                task.run();
            };
        }
    };

    abstract RejectedExecutionHandler handler();

    /** The policy named {@code block}, {@code busy} or {@code caller} on the command line. */
    public static Backpressure fromOptionName(String name) {
        return switch (name) {
            case "block" -> BLOCK_PRODUCER;
            case "busy" -> REJECT_WITH_BUSY;
            case "caller" -> CALLER_RUNS;
            default -> throw new IllegalArgumentException("unknown backpressure '" + name + "': use block, busy or caller");
        };
    }
}
