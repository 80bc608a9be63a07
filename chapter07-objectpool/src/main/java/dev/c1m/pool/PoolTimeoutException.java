package dev.c1m.pool;

/**
 * A borrow waited its whole timeout and the pool still had nothing to give. The message says
 * which pool, how long the caller waited, and how the pool was used at that moment, because
 * "timeout" alone sends an operator looking in the wrong place: usually the pool is too small
 * or a borrower holds on too long (see the leak warnings), not the resource being slow.
 */
public final class PoolTimeoutException extends RuntimeException {

    public PoolTimeoutException(String message) {
        super(message);
    }
}
