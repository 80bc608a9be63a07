package dev.c1m.limit;

/**
 * A monotonic time source in nanoseconds, the only way a limiter in this package learns the
 * time. Production code passes {@link #SYSTEM}; tests pass a manual clock they advance by hand,
 * so every limiter is tested over scripted time without sleeping.
 *
 * <p>Values are compared only by subtraction ({@code a - b > 0}), as {@link System#nanoTime()}
 * requires: the origin is arbitrary and the value may wrap.
 */
@FunctionalInterface
public interface NanoClock {

    NanoClock SYSTEM = System::nanoTime;

    long nanoTime();
}
