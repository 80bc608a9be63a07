package dev.c1m.limit;

/** Counts what a limiter admits out of a number of back-to-back attempts. */
final class Admissions {

    private Admissions() {
    }

    static int of(RateLimiter limiter, int attempts) {
        int admitted = 0;
        for (int i = 0; i < attempts; i++) {
            if (limiter.tryAcquire()) {
                admitted++;
            }
        }
        return admitted;
    }
}
