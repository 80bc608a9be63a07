package dev.c1m.echo;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Waiting that an interrupt cannot cut short. A {@code close()} that returns while its thread is
 * still running breaks the promise that nothing is left behind, so shutdown code waits to the
 * end and then restores the caller's interrupt status for it to act on. Used by every chapter's
 * shutdown path.
 */
public final class Uninterruptibles {

    private Uninterruptibles() {
    }

    /** Waits until {@code thread} has ended, even if interrupted; re-asserts the interrupt afterwards. */
    public static void join(Thread thread) {
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits until {@code latch} reaches zero, even if interrupted; re-asserts the interrupt afterwards. */
    public static void await(CountDownLatch latch) {
        boolean interrupted = false;
        while (latch.getCount() > 0) {
            try {
                latch.await();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Waits up to {@code timeout} for a shut-down {@code executor} to finish its tasks, even if
     * interrupted (an interrupt does not extend the wait); re-asserts the interrupt afterwards.
     *
     * @return whether every task finished in time
     */
    public static boolean awaitTermination(ExecutorService executor, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return executor.awaitTermination(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
