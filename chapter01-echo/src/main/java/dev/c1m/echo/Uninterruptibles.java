package dev.c1m.echo;

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
}
