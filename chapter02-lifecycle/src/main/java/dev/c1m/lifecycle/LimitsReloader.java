package dev.c1m.lifecycle;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Server limits read from a properties file and reloaded when the file changes, without a
 * restart: Go's {@code fsnotify} plus a re-read, in Java's {@link WatchService}.
 *
 * <p>{@link #reloadIfChanged()} reads the file and compares its bytes with the last version it
 * saw (not its modification time, which has coarse granularity on some file systems). New, valid
 * content replaces the current limits atomically and is logged at INFO. Invalid content is
 * rejected with a WARNING naming the file, the reason and the limits that stay in force; the
 * same content is reported once, not on every check.
 *
 * <p>{@link #startWatching} runs a platform thread ({@code limits-reloader}) that waits for a
 * {@link WatchService} event on the file's directory and also checks every {@code pollInterval}
 * in any case: the poll catches what a watch service misses (some network and container file
 * systems deliver no events) and is the whole mechanism when no watch service can be created.
 * {@link Mode#POLLING} skips the watch service altogether.
 *
 * <p>Readers call {@link #get()} from any thread. Who uses the values decides when they apply:
 * {@link LifecycleServer} reads them once per accepted connection, so a change applies to
 * connections accepted afterwards. Not handled: a file written in several steps may be read
 * half-written and rejected until the last step lands; write a temporary file and rename it.
 */
public final class LimitsReloader implements Supplier<ServerLimits>, AutoCloseable {

    /** How {@link #startWatching} notices changes. */
    public enum Mode { WATCH_SERVICE_AND_POLLING, POLLING }

    private static final System.Logger LOG = System.getLogger(LimitsReloader.class.getName());

    private final Path file;
    private final AtomicReference<ServerLimits> current;
    /** The content last applied or rejected; touched only under {@code this} lock. */
    private byte[] lastSeen;
    private volatile String lastRejection;
    private volatile Thread watcher;

    private LimitsReloader(Path file, ServerLimits initial, byte[] content) {
        this.file = file.toAbsolutePath();
        this.current = new AtomicReference<>(initial);
        this.lastSeen = content;
    }

    /**
     * Reads {@code file}, which must exist and be valid.
     *
     * @throws IllegalArgumentException if it is invalid, naming the file and the reason
     */
    public static LimitsReloader load(Path file) throws IOException {
        byte[] content = Files.readAllBytes(file);
        try {
            return new LimitsReloader(file, ServerLimits.parse(new String(content, StandardCharsets.UTF_8)), content);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public ServerLimits get() {
        return current.get();
    }

    /** Why the last rejected content was rejected, or null if nothing was rejected yet. */
    public String lastRejection() {
        return lastRejection;
    }

    /** Reads the file; applies it if it changed and is valid. Returns true if new limits were applied. */
    public synchronized boolean reloadIfChanged() {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (IOException e) {
            reject("cannot read it (" + e + ")");
            return false;
        }
        if (Arrays.equals(content, lastSeen)) {
            return false;
        }
        lastSeen = content;
        ServerLimits next;
        try {
            next = ServerLimits.parse(new String(content, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            reject(e.getMessage());
            return false;
        }
        ServerLimits previous = current.getAndSet(next);
        if (next.equals(previous)) {
            return false;
        }
        LOG.log(Level.INFO, "reloaded {0}: {1} (was {2})", file, next, previous);
        return true;
    }

    private void reject(String reason) {
        String message = "rejected " + file + ": " + reason + "; keeping " + current.get();
        LOG.log(Level.WARNING, message);
        lastRejection = message;
    }

    /** Starts the {@code limits-reloader} thread; at most once. */
    public synchronized void startWatching(Mode mode, Duration pollInterval) {
        if (watcher != null) {
            throw new IllegalStateException("already watching " + file);
        }
        watcher = Thread.ofPlatform().name("limits-reloader").daemon().start(() -> watch(mode, pollInterval));
    }

    private void watch(Mode mode, Duration pollInterval) {
        try {
            if (mode == Mode.WATCH_SERVICE_AND_POLLING && watchWithService(pollInterval)) {
                return;
            }
            poll(pollInterval);
        } catch (InterruptedException | ClosedWatchServiceException stop) {
            // close() asked us to stop
        }
    }

    /**
     * A watch service registered on the file's directory. Registering can fail where making the
     * service did not (at {@code fs.inotify.max_user_watches}, say): the service is then closed,
     * or its descriptor and the JDK's thread behind it would outlive the fallback to polling.
     */
    private WatchService watchServiceOnTheFilesDirectory() throws IOException {
        WatchService service = file.getFileSystem().newWatchService();
        try {
            file.getParent().register(service, StandardWatchEventKinds.ENTRY_CREATE,
                    StandardWatchEventKinds.ENTRY_MODIFY);
            return service;
        } catch (IOException | RuntimeException e) {
            try {
                service.close();
            } catch (IOException closeFailed) {
                e.addSuppressed(closeFailed);
            }
            throw e;
        }
    }

    /** Returns false if no watch service could be made, so the caller falls back to polling. */
    private boolean watchWithService(Duration pollInterval) throws InterruptedException {
        WatchService service;
        try {
            service = watchServiceOnTheFilesDirectory();
        } catch (IOException | UnsupportedOperationException e) {
            LOG.log(Level.WARNING, "cannot watch {0} ({1}); polling every {2} ms instead",
                    file, e.toString(), pollInterval.toMillis());
            return false;
        }
        LOG.log(Level.INFO, "watching {0} for changes (and polling every {1} ms)", file, pollInterval.toMillis());
        try (service) {
            while (true) {
                WatchKey key = service.poll(pollInterval.toMillis(), TimeUnit.MILLISECONDS);
                if (key != null) {
                    key.pollEvents();
                    key.reset();
                }
                reloadIfChanged();
            }
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "watch service close failed: {0}", e.toString());
            return true;
        }
    }

    private void poll(Duration pollInterval) throws InterruptedException {
        while (true) {
            Thread.sleep(pollInterval);
            reloadIfChanged();
        }
    }

    /** Stops the watching thread, if any, and waits for it. */
    @Override
    public void close() throws InterruptedException {
        Thread thread = watcher;
        if (thread != null) {
            thread.interrupt();
            thread.join();
        }
    }
}
