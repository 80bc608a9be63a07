package dev.c1m.limit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class KeyedRateLimiterTest {

    private final ManualClock clock = new ManualClock();
    /** Two requests per second per key, no burst beyond that; at most 3 keys, idle after 10 s. */
    private final KeyedRateLimiter<String> perKey = new KeyedRateLimiter<>(3, Duration.ofSeconds(10),
            key -> new TokenBucket(Rate.perSecond(2), 2, clock), clock);

    @Test
    void eachKeyHasItsOwnAllowance() {
        assertThat(admitted("a", 5)).isEqualTo(2);
        assertThat(admitted("b", 5)).isEqualTo(2);
        assertThat(admitted("a", 5)).isZero();
        assertThat(perKey.size()).isEqualTo(2);
    }

    @Test
    void keysIdleForTheTimeoutAreDropped() {
        admitted("a", 1);
        admitted("b", 1);
        clock.advanceMillis(9_999);
        admitted("c", 1);
        assertThat(perKey.size()).isEqualTo(3);
        clock.advanceMillis(1); // a and b are idle for 10 s now
        admitted("c", 1);
        assertThat(perKey.size()).isEqualTo(1);
        assertThat(perKey.evictions()).isZero();
    }

    @Test
    void aFullTableEvictsTheLeastRecentlyUsedKey() {
        admitted("a", 2);
        admitted("b", 2);
        admitted("c", 2);
        admitted("a", 1); // a is now the most recently used, b the least
        admitted("d", 1);
        assertThat(perKey.size()).isEqualTo(3);
        assertThat(perKey.evictions()).isEqualTo(1);
        assertThat(admitted("a", 1)).as("a kept its drained bucket").isZero();
        assertThat(admitted("c", 1)).as("c kept its drained bucket").isZero();
    }

    @Test
    void memoryStaysBoundedWhateverTheNumberOfKeys() {
        for (int i = 0; i < 100_000; i++) {
            perKey.tryAcquire("client-" + i);
        }
        assertThat(perKey.size()).isEqualTo(3);
        assertThat(perKey.evictions()).isEqualTo(100_000 - 3);
    }

    private int admitted(String key, int attempts) {
        int admitted = 0;
        for (int i = 0; i < attempts; i++) {
            admitted += perKey.tryAcquire(key) ? 1 : 0;
        }
        return admitted;
    }
}
