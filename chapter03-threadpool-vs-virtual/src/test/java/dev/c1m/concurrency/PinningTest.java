package dev.c1m.concurrency;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Pinning, seen through the JFR event {@code jdk.VirtualThreadPinned}. Which cases pin depends on
 * the JDK: tests of a case that does not pin on the running JDK are skipped with the reason.
 */
@Timeout(30)
class PinningTest {

    private static final int JDK = Runtime.version().feature();
    private static final Duration PAUSE = Duration.ofMillis(30);
    private static final Duration DELIVERY = Duration.ofSeconds(10);

    @Test
    void blockingInsideSynchronizedPinsOnJdk21To23() throws Exception {
        assumeTrue(JDK < 24, "JDK " + JDK + " does not pin inside synchronized: JEP 491 (JDK 24) lets virtual"
                + " threads unmount while holding a monitor");
        List<PinningDetector.Pin> pins = PinningDetector.pinsDuring(() -> PinningExamples.blockInsideSynchronized(PAUSE), DELIVERY);
        assertThat(pins).isNotEmpty();
        assertThat(pins.getFirst().duration()).isGreaterThanOrEqualTo(PAUSE.minusMillis(5));
    }

    @Test
    void blockingInsideSynchronizedNoLongerPinsFromJdk24() throws Exception {
        assumeTrue(JDK >= 24, "JDK " + JDK + " pins inside synchronized (before JEP 491, JDK 24)");
        assertThat(PinningDetector.pinsDuring(() -> PinningExamples.blockInsideSynchronized(PAUSE), DELIVERY)).isEmpty();
    }

    @Test
    void blockingInsideAReentrantLockNeverPins() throws Exception {
        assertThat(PinningDetector.pinsDuring(() -> PinningExamples.blockInsideReentrantLock(PAUSE), DELIVERY)).isEmpty();
    }

    @Test
    void blockingInsideAClassInitializerPinsAndJfrSaysWhy() throws Exception {
        assumeTrue(JDK <= 25, "class-initializer pinning was verified on JDK 21 to 25; JDK " + JDK + " may differ");
        List<PinningDetector.Pin> pins = PinningDetector.pinsDuring(PinningExamples::blockInsideClassInitializer, DELIVERY);
        assertThat(pins).hasSize(1);
        assertThat(pins.getFirst().duration())
                .isGreaterThanOrEqualTo(PinningExamples.CLASS_INITIALIZER_PAUSE.minusMillis(5));
        if (JDK >= 24) {
            assertThat(pins.getFirst().pinnedReason()).contains("<clinit>");
        }
    }

    @Test
    void eachCallRunsTheClassInitializerAgainSoTheDemonstrationRepeats() throws Exception {
        assumeTrue(JDK <= 25, "class-initializer pinning was verified on JDK 21 to 25; JDK " + JDK + " may differ");
        PinningExamples.blockInsideClassInitializer();
        assertThat(PinningDetector.pinsDuring(PinningExamples::blockInsideClassInitializer, DELIVERY)).hasSize(1);
    }
}
