package dev.c1m.limit;

/**
 * Decides, without blocking, whether one more request may proceed now. The five algorithms of
 * this chapter implement it ({@link TokenBucket}, {@link LeakyBucket}, {@link FixedWindowLimiter},
 * {@link SlidingWindowLogLimiter}, {@link SlidingWindowCounterLimiter}); they differ in memory,
 * accuracy and how they treat bursts (see the chapter README's comparison table).
 *
 * <p>Every implementation here is thread-safe and allocates nothing per decision, so one
 * instance can be shared by all reactor threads (a global limit) or owned by one connection.
 * A refused request consumes nothing: calling again later is always safe.
 */
@FunctionalInterface
public interface RateLimiter {

    /** Takes one permit if the limit allows it now; true if the request may proceed. */
    boolean tryAcquire();
}
