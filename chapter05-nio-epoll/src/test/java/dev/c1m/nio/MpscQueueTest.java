package dev.c1m.nio;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(30)
class MpscQueueTest {

    @Test
    void pollsNullFromAnEmptyQueue() {
        MpscQueue<String> queue = new MpscQueue<>();

        assertThat(queue.isEmpty()).isTrue();
        assertThat(queue.poll()).isNull();
    }

    @Test
    void returnsOneProducersElementsInTheOrderOffered() {
        MpscQueue<Integer> queue = new MpscQueue<>();
        for (int i = 0; i < 1000; i++) {
            queue.offer(i);
        }

        List<Integer> polled = new ArrayList<>();
        for (Integer value = queue.poll(); value != null; value = queue.poll()) {
            polled.add(value);
        }

        assertThat(polled).hasSize(1000).isSorted();
        assertThat(queue.isEmpty()).isTrue();
    }

    @Test
    void losesAndDuplicatesNothingWithEightProducersAndKeepsEachProducersOrder() throws InterruptedException {
        int producers = 8;
        int perProducer = 100_000;
        MpscQueue<Long> queue = new MpscQueue<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            long producer = p;
            threads.add(Thread.ofPlatform().name("producer-" + p).start(() -> {
                awaitQuietly(start);
                for (int i = 0; i < perProducer; i++) {
                    queue.offer(producer << 32 | i); // producer id in the high half, sequence in the low
                }
            }));
        }

        start.countDown();
        int[] nextExpected = new int[producers];
        long received = 0;
        while (received < (long) producers * perProducer) {
            Long value = queue.poll();
            if (value == null) {
                Thread.onSpinWait();
                continue;
            }
            int producer = (int) (value >>> 32);
            int sequence = (int) (long) value;
            assertThat(sequence).as("next element of producer %d", producer).isEqualTo(nextExpected[producer]);
            nextExpected[producer]++;
            received++;
        }
        for (Thread thread : threads) {
            thread.join();
        }

        assertThat(nextExpected).containsOnly(perProducer);
        assertThat(queue.poll()).as("nothing duplicated after the last element").isNull();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
