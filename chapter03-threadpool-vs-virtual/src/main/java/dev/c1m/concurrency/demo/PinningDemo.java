package dev.c1m.concurrency.demo;

import dev.c1m.concurrency.PinningDetector;
import dev.c1m.concurrency.PinningExamples;
import dev.c1m.echo.demo.ConsoleLog;

import java.time.Duration;
import java.util.List;

/**
 * Runs each of {@link PinningExamples} on a virtual thread and prints the
 * {@code jdk.VirtualThreadPinned} events JFR recorded for it: which cases pin depends on the JDK.
 *
 * <pre>
 * java -cp ... dev.c1m.concurrency.demo.PinningDemo
 * </pre>
 */
public final class PinningDemo {

    private static final Duration PAUSE = Duration.ofMillis(30);
    private static final Duration DELIVERY = Duration.ofSeconds(10);

    private PinningDemo() {
    }

    public static void main(String[] args) throws Exception {
        ConsoleLog.oneLinePerRecord();
        System.out.println("JDK " + Runtime.version());
        show("sleep inside synchronized", PinningDetector.pinsDuring(
                () -> PinningExamples.blockInsideSynchronized(PAUSE), DELIVERY));
        show("sleep inside ReentrantLock", PinningDetector.pinsDuring(
                () -> PinningExamples.blockInsideReentrantLock(PAUSE), DELIVERY));
        show("sleep inside a static initializer", PinningDetector.pinsDuring(
                PinningExamples::blockInsideClassInitializer, DELIVERY));
    }

    private static void show(String what, List<PinningDetector.Pin> pins) {
        System.out.printf("%-36s %s%n", what + ":", pins.isEmpty() ? "not pinned" : "PINNED");
        for (PinningDetector.Pin pin : pins) {
            System.out.printf("    %d ms in %s; reason: %s%n", pin.duration().toMillis(), pin.blockingOperation(),
                    pin.pinnedReason());
        }
    }
}
