package dev.c1m.limit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Shared by many threads at once, with time frozen, each limiter admits exactly its limit: no lost or extra permits. */
class RateLimiterConcurrencyTest {

    private static final int LIMIT = 1_000;
    private static final int THREADS = 16;
    private static final int ATTEMPTS_PER_THREAD = 500;

    static Stream<Arguments> limiters() {
        Duration second = Duration.ofSeconds(1);
        return Stream.of(
                Arguments.of("token bucket", (Function<NanoClock, RateLimiter>) c -> new TokenBucket(Rate.perSecond(LIMIT), LIMIT, c)),
                Arguments.of("leaky bucket", (Function<NanoClock, RateLimiter>) c -> {
                    LeakyBucket bucket = new LeakyBucket(Rate.perSecond(LIMIT), LIMIT - 1, c);
                    return () -> bucket.tryEnqueue() != LeakyBucket.REFUSED;
                }),
                Arguments.of("fixed window", (Function<NanoClock, RateLimiter>) c -> new FixedWindowLimiter(LIMIT, second, c)),
                Arguments.of("sliding log", (Function<NanoClock, RateLimiter>) c -> new SlidingWindowLogLimiter(LIMIT, second, c)),
                Arguments.of("sliding counter", (Function<NanoClock, RateLimiter>) c -> new SlidingWindowCounterLimiter(LIMIT, second, c)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("limiters")
    @Timeout(30)
    void manyThreadsTogetherGetExactlyTheLimit(String name, Function<NanoClock, RateLimiter> factory) throws Exception {
        RateLimiter limiter = factory.apply(new ManualClock());
        CountDownLatch start = new CountDownLatch(1);
        try (ExecutorService threads = Executors.newFixedThreadPool(THREADS)) {
            List<Future<Integer>> admitted = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                admitted.add(threads.submit(() -> {
                    start.await();
                    return Admissions.of(limiter, ATTEMPTS_PER_THREAD);
                }));
            }
            start.countDown();
            int total = 0;
            for (Future<Integer> f : admitted) {
                total += f.get();
            }
            assertThat(THREADS * ATTEMPTS_PER_THREAD).isGreaterThan(LIMIT);
            assertThat(total).isEqualTo(LIMIT);
        }
    }
}
