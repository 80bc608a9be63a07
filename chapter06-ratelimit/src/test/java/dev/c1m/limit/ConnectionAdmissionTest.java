package dev.c1m.limit;

import static dev.c1m.limit.ConnectionAdmission.Verdict.ADDRESS_FULL;
import static dev.c1m.limit.ConnectionAdmission.Verdict.ADMITTED;
import static dev.c1m.limit.ConnectionAdmission.Verdict.RATE_EXCEEDED;
import static dev.c1m.limit.ConnectionAdmission.Verdict.SERVER_FULL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.c1m.limit.ConnectionAdmission.Verdict;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class ConnectionAdmissionTest {

    private static final RateLimiter NO_RATE_LIMIT = () -> true;
    private final InetAddress a = address(2);
    private final InetAddress b = address(3);
    private final InetAddress c = address(4);

    @Test
    void admitsUpToTheServerLimitAndCountsTheRestAsServerFull() {
        ConnectionAdmission admission = new ConnectionAdmission(5, 100, NO_RATE_LIMIT);
        List<Verdict> verdicts = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            verdicts.add(admission.tryAdmit(address(2 + i)));
        }
        assertThat(verdicts).containsExactly(ADMITTED, ADMITTED, ADMITTED, ADMITTED, ADMITTED,
                SERVER_FULL, SERVER_FULL, SERVER_FULL, SERVER_FULL, SERVER_FULL);
        assertThat(admission.count(SERVER_FULL)).isEqualTo(5);
        assertThat(admission.refusals()).isEqualTo(5);
        assertThat(admission.isFull()).isTrue();
    }

    @Test
    void limitsEachAddressWithoutTouchingTheOthers() {
        ConnectionAdmission admission = new ConnectionAdmission(100, 2, NO_RATE_LIMIT);
        assertThat(admission.tryAdmit(a)).isEqualTo(ADMITTED);
        assertThat(admission.tryAdmit(a)).isEqualTo(ADMITTED);
        assertThat(admission.tryAdmit(a)).isEqualTo(ADDRESS_FULL);
        assertThat(admission.tryAdmit(b)).isEqualTo(ADMITTED);
        assertThat(admission.tryAdmit(b)).isEqualTo(ADMITTED);
        assertThat(admission.tryAdmit(b)).isEqualTo(ADDRESS_FULL);
        assertThat(admission.openFrom(a)).isEqualTo(2);
        assertThat(admission.count(ADDRESS_FULL)).isEqualTo(2);

        admission.release(a);
        assertThat(admission.tryAdmit(a)).isEqualTo(ADMITTED);
    }

    @Test
    void limitsTheRateOfNewConnectionsAndSpendsTokensOnlyOnAdmissions() {
        ManualClock clock = new ManualClock();
        ConnectionAdmission admission = new ConnectionAdmission(100, 1, new TokenBucket(Rate.perSecond(10), 3, clock));
        assertThat(admission.tryAdmit(a)).isEqualTo(ADMITTED);
        assertThat(admission.tryAdmit(a)).as("address refusal spends no token").isEqualTo(ADDRESS_FULL);
        assertThat(admission.tryAdmit(b)).isEqualTo(ADMITTED);
        assertThat(admission.tryAdmit(c)).isEqualTo(ADMITTED);
        assertThat(admission.tryAdmit(address(5))).isEqualTo(RATE_EXCEEDED);
        clock.advanceMillis(100);
        assertThat(admission.tryAdmit(address(5))).isEqualTo(ADMITTED);
        assertThat(admission.count(RATE_EXCEEDED)).isEqualTo(1);
        assertThat(admission.count(ADDRESS_FULL)).isEqualTo(1);
        assertThat(admission.count(ADMITTED)).isEqualTo(4);
    }

    @Test
    void countsReturnToZeroAndForgottenAddressesHoldNoMemory() {
        ConnectionAdmission admission = new ConnectionAdmission(10, 3, NO_RATE_LIMIT);
        for (int i = 0; i < 3; i++) {
            admission.tryAdmit(a);
            admission.tryAdmit(b);
        }
        assertThat(admission.openConnections()).isEqualTo(6);
        assertThat(admission.trackedAddresses()).isEqualTo(2);
        for (int i = 0; i < 3; i++) {
            admission.release(a);
            admission.release(b);
        }
        assertThat(admission.openConnections()).isZero();
        assertThat(admission.openFrom(a)).isZero();
        assertThat(admission.trackedAddresses()).isZero();
    }

    @Test
    void aReleaseWithoutAnAdmissionIsABug() {
        ConnectionAdmission admission = new ConnectionAdmission(10, 3, NO_RATE_LIMIT);
        admission.tryAdmit(a);
        admission.release(a);
        assertThatThrownBy(() -> admission.release(a)).isInstanceOf(IllegalStateException.class);
        assertThat(admission.openConnections()).isZero();
    }

    @Test
    void runsTheRoomTaskOnceWhenAFullServerLosesAConnection() {
        ConnectionAdmission admission = new ConnectionAdmission(2, 2, NO_RATE_LIMIT);
        AtomicInteger resumed = new AtomicInteger();
        admission.tryAdmit(a);
        admission.tryAdmit(b);

        admission.runWhenRoom(resumed::incrementAndGet);
        assertThat(resumed).hasValue(0);
        admission.release(a);
        assertThat(resumed).hasValue(1);
        admission.release(b);
        assertThat(resumed).as("one-shot").hasValue(1);

        admission.runWhenRoom(resumed::incrementAndGet);
        assertThat(resumed).as("room already there: runs at once").hasValue(2);
    }

    @Test
    void everyWaitingRoomTaskRunsOnceAndARepeatedTaskWaitsOnce() {
        ConnectionAdmission admission = new ConnectionAdmission(1, 1, NO_RATE_LIMIT);
        AtomicInteger first = new AtomicInteger();
        AtomicInteger second = new AtomicInteger();
        Runnable firstAcceptor = first::incrementAndGet;
        admission.tryAdmit(a);

        admission.runWhenRoom(firstAcceptor);
        admission.runWhenRoom(firstAcceptor); // the same acceptor asking again
        admission.runWhenRoom(second::incrementAndGet); // another acceptor sharing the policy
        admission.release(a);

        assertThat(first).hasValue(1);
        assertThat(second).hasValue(1);
    }

    @Test
    @Timeout(30)
    void concurrentAdmissionsAndReleasesKeepExactCounts() throws Exception {
        int limit = 50;
        ConnectionAdmission admission = new ConnectionAdmission(limit, 20, NO_RATE_LIMIT);
        int threads = 8;
        int rounds = 5_000;
        CountDownLatch start = new CountDownLatch(1);
        AtomicInteger admitted = new AtomicInteger();
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                InetAddress own = address(2 + t);
                workers.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < rounds; i++) {
                        if (admission.tryAdmit(own) == ADMITTED) {
                            admitted.incrementAndGet();
                            assertThat(admission.openConnections()).isLessThanOrEqualTo(limit);
                            admission.release(own);
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> w : workers) {
                w.get();
            }
        }
        assertThat(admission.count(ADMITTED)).isEqualTo(admitted.get());
        assertThat(admission.count(ADMITTED) + admission.refusals()).isEqualTo((long) threads * rounds);
        assertThat(admission.openConnections()).isZero();
        assertThat(admission.trackedAddresses()).isZero();
    }

    private static InetAddress address(int lastByte) {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) lastByte});
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
