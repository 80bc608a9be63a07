package dev.c1m.concurrency;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingStream;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Records the JFR event {@code jdk.VirtualThreadPinned} while an action runs in a virtual thread,
 * to see whether that code path pins its carrier. The same event is what to look for in
 * production: {@code java -XX:StartFlightRecording:filename=rec.jfr ...}, then
 * {@code jfr print --events jdk.VirtualThreadPinned rec.jfr}. (The system property
 * {@code jdk.tracePinnedThreads} of JDK 21 was removed in JDK 24.)
 *
 * <p>The stream records pins of any duration (threshold 0; the JDK's default is 20 ms). Events
 * are delivered asynchronously, so after the action this waits for a marker event that is
 * committed after it, which proves that every earlier event has been delivered. Events from
 * other threads that pin meanwhile are filtered out by thread id.
 *
 * <p>Not thread-safe: one detection at a time per instance; each call opens its own stream.
 */
public final class PinningDetector {

    /** One pinned event: what blocked and why the thread could not unmount. */
    public record Pin(Duration duration, String blockingOperation, String pinnedReason) {
    }

    @jdk.jfr.Name("dev.c1m.concurrency.DetectionMarker")
    @jdk.jfr.Label("Pinning detection marker")
    static final class Marker extends jdk.jfr.Event {
        @jdk.jfr.Label("Id")
        long id;
    }

    /** A blocking action that may throw, run on a new virtual thread. */
    @FunctionalInterface
    public interface BlockingAction {
        void run() throws Exception;
    }

    private PinningDetector() {
    }

    /** Runs {@code action} on a new virtual thread and returns the pinned events it caused. */
    public static List<Pin> pinsDuring(BlockingAction action, Duration deliveryTimeout) throws Exception {
        List<Pin> pins = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch markerSeen = new CountDownLatch(1);
        long markerId = System.nanoTime();
        long[] actionThreadId = {-1};
        try (RecordingStream stream = new RecordingStream()) {
            stream.enable("jdk.VirtualThreadPinned").withThreshold(Duration.ZERO);
            stream.enable(Marker.class);
            stream.onEvent("jdk.VirtualThreadPinned", event -> {
                if (event.getThread() != null && event.getThread().getJavaThreadId() == actionThreadId[0]) {
                    pins.add(toPin(event));
                }
            });
            stream.onEvent(Marker.class.getAnnotation(jdk.jfr.Name.class).value(), event -> {
                if (event.getLong("id") == markerId) {
                    markerSeen.countDown();
                }
            });
            stream.startAsync();
            Exception[] failure = {null};
            Thread thread = Thread.ofVirtual().unstarted(() -> {
                try {
                    action.run();
                } catch (Exception e) {
                    failure[0] = e;
                }
            });
            actionThreadId[0] = thread.threadId();
            thread.start();
            thread.join();
            if (failure[0] != null) {
                throw failure[0];
            }
            Marker marker = new Marker();
            marker.id = markerId;
            marker.commit();
            if (!markerSeen.await(deliveryTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("JFR delivered no marker within " + deliveryTimeout);
            }
        }
        return List.copyOf(pins);
    }

    private static Pin toPin(RecordedEvent event) {
        return new Pin(event.getDuration(), stringOrUnknown(event, "blockingOperation"),
                stringOrUnknown(event, "pinnedReason"));
    }

    /** JDK 21 to 23 record neither field; JDK 24+ record both. */
    private static String stringOrUnknown(RecordedEvent event, String field) {
        return event.hasField(field) ? event.getString(field) : "(not recorded by this JDK)";
    }
}
