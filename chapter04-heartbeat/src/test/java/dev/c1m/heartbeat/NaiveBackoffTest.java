package dev.c1m.heartbeat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A thousand clients lose their server at the same instant and each retries four times (the
 * server stays down meanwhile). How many connect attempts land in the busiest 10 ms slot?
 */
@Timeout(10)
class NaiveBackoffTest {

    private static final int CLIENTS = 1_000;
    private static final int ATTEMPTS = 4;
    private static final long SLOT_NANOS = 10_000_000;

    @Test
    void withoutJitterEveryClientRetriesInTheSameInstant() {
        int busiest = busiestSlot(() -> {
            NaiveBackoff backoff = new NaiveBackoff(Duration.ofMillis(100), Duration.ofSeconds(30));
            return backoff::nextDelay;
        });

        assertThat(busiest).isEqualTo(CLIENTS);
    }

    @Test
    void withFullJitterTheSameClientsSpreadOverTheWholeInterval() {
        SplittableRandom seeds = new SplittableRandom(2026);
        int busiest = busiestSlot(() -> {
            Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(30), ATTEMPTS, seeds.split());
            return backoff::nextDelay;
        });

        assertThat(busiest).isLessThan(CLIENTS / 5);
    }

    /** The largest number of attempts, over all clients, falling in one 10 ms slot. */
    private static int busiestSlot(Supplier<Supplier<Duration>> clients) {
        Map<Long, Integer> attemptsPerSlot = new HashMap<>();
        for (int client = 0; client < CLIENTS; client++) {
            Supplier<Duration> delays = clients.get();
            long at = 0;
            for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
                at += delays.get().toNanos();
                attemptsPerSlot.merge(at / SLOT_NANOS, 1, Integer::sum);
            }
        }
        return attemptsPerSlot.values().stream().mapToInt(Integer::intValue).max().orElseThrow();
    }
}
