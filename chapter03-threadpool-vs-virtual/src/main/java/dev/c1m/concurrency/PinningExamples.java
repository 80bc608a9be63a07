package dev.c1m.concurrency;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Three ways for a virtual thread to block for {@code pause}, of which some pin it to its carrier.
 *
 * <p>A virtual thread is <em>pinned</em> when it blocks but cannot be unmounted, so it keeps its
 * carrier (one of the few platform threads that run all virtual threads) blocked as well. With
 * as many pinned threads as carriers, every other virtual thread stops. Cases:
 * <ul>
 *   <li>{@link #blockInsideSynchronized}: pins on JDK 21 to 23, because the JVM tracked monitors
 *       by carrier thread. JDK 24 (JEP 491) re-implemented monitors so that a virtual thread can
 *       unmount inside {@code synchronized}: no pinning on 24+.</li>
 *   <li>{@link #blockInsideReentrantLock}: never pins; the fix on JDK 21 to 23.</li>
 *   <li>{@link #blockInsideClassInitializer}: pins on every JDK so far, 25 included, because the
 *       JVM runs a static initializer through a native (VM) frame, and a continuation cannot be
 *       frozen across a native frame. The same holds for blocking inside a JNI or foreign
 *       upcall. Keep static initializers free of I/O, locks and sleeps.</li>
 * </ul>
 * The JFR event {@code jdk.VirtualThreadPinned} reports each case (see {@link PinningDetector}).
 *
 * <p>Stateless; call the methods from a virtual thread to see pinning.
 */
public final class PinningExamples {

    private static final Object MONITOR = new Object();
    private static final ReentrantLock LOCK = new ReentrantLock();

    private PinningExamples() {
    }

    public static void blockInsideSynchronized(Duration pause) throws InterruptedException {
        synchronized (MONITOR) {
            Thread.sleep(pause);
        }
    }

    public static void blockInsideReentrantLock(Duration pause) throws InterruptedException {
        LOCK.lock();
        try {
            Thread.sleep(pause);
        } finally {
            LOCK.unlock();
        }
    }

    /**
     * Initializes a fresh copy of {@link SlowInitializer}, whose static initializer sleeps 50 ms.
     * The class is loaded anew by a throwaway class loader on each call, so each call really
     * runs the initializer.
     */
    public static void blockInsideClassInitializer() {
        try {
            Class.forName(SlowInitializer.class.getName(), true, new FreshLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }

    /** How long {@link SlowInitializer}'s static initializer blocks. */
    public static final Duration CLASS_INITIALIZER_PAUSE = Duration.ofMillis(50);

    static final class SlowInitializer {
        static {
            try {
                Thread.sleep(CLASS_INITIALIZER_PAUSE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private SlowInitializer() {
        }
    }

    /** Defines {@link SlowInitializer} itself from its class file; delegates everything else. */
    private static final class FreshLoader extends ClassLoader {

        FreshLoader() {
            super(PinningExamples.class.getClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.equals(SlowInitializer.class.getName())) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> loaded = findLoadedClass(name);
                return loaded != null ? loaded : defineFromClassFile(name);
            }
        }

        private Class<?> defineFromClassFile(String name) {
            String resource = name.replace('.', '/') + ".class";
            try (InputStream in = getParent().getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("class file not found: " + resource);
                }
                byte[] bytes = in.readAllBytes();
                return defineClass(name, bytes, 0, bytes.length);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
