package dev.c1m.tuning;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The kernel settings a run changes for itself, each remembered with its original value so that
 * {@link #restore()} puts every one back: a benchmark must leave the machine as it found it.
 * Writes {@code /proc/sys/<name with dots as slashes>} (root only; a setting that does not exist
 * on this kernel is skipped).
 *
 * <p>Thread-safe: a shutdown hook may restore while the run's thread is still changing.
 */
public final class SysctlChanges {

    private final Path procSys;
    private final Map<String, String> originals = new LinkedHashMap<>(); // guarded by this
    private final Map<String, String> applied = new LinkedHashMap<>();   // guarded by this
    private boolean restored;                                             // guarded by this

    /** @param procSys {@code /proc/sys}, or a fixture directory in tests */
    public SysctlChanges(Path procSys) {
        this.procSys = procSys;
    }

    /**
     * Raises a single-valued setting to at least {@code value}. Returns false (and changes
     * nothing) if it is already that high or does not exist here.
     */
    public synchronized boolean raiseTo(String name, long value) throws IOException {
        Path file = fileOf(name);
        if (!Files.exists(file)) {
            return false;
        }
        String current = SystemView.readProcFile(file).trim();
        if (Long.parseLong(current.split("\\s+")[0]) >= value) {
            return false;
        }
        write(name, file, current, Long.toString(value));
        return true;
    }

    /** Sets a setting to {@code value} (several numbers separated by spaces for a vector). */
    public synchronized boolean set(String name, String value) throws IOException {
        Path file = fileOf(name);
        if (!Files.exists(file)) {
            return false;
        }
        String current = SystemView.readProcFile(file).trim();
        if (current.replaceAll("\\s+", " ").equals(value)) {
            return false;
        }
        write(name, file, current, value);
        return true;
    }

    /** What was changed: {@code name -> "old -> new"}, in the order applied. */
    public synchronized Map<String, String> changes() {
        Map<String, String> changes = new LinkedHashMap<>();
        applied.forEach((name, value) -> changes.put(name, originals.get(name).replaceAll("\\s+", " ") + " -> " + value));
        return changes;
    }

    /**
     * Puts every changed setting back, last change first. A setting that cannot be written back
     * does not stop the others: each is tried, and the first failure is thrown at the end with the
     * rest attached. Idempotent; {@link #changes()} still lists them.
     */
    public synchronized void restore() throws IOException {
        if (restored) {
            return;
        }
        restored = true;
        IOException failed = null;
        List<String> names = new ArrayList<>(applied.keySet());
        for (int i = names.size() - 1; i >= 0; i--) {
            String name = names.get(i);
            try {
                Files.writeString(fileOf(name), originals.get(name) + "\n");
            } catch (IOException e) {
                IOException named = new IOException("could not restore " + name + " to " + originals.get(name).strip(), e);
                if (failed == null) {
                    failed = named;
                } else {
                    failed.addSuppressed(named);
                }
            }
        }
        if (failed != null) {
            throw failed;
        }
    }

    private void write(String name, Path file, String current, String value) throws IOException {
        if (restored) {
            throw new IllegalStateException("already restored: " + name + " would stay changed");
        }
        originals.putIfAbsent(name, current);
        Files.writeString(file, value + "\n");
        applied.put(name, value);
    }

    private Path fileOf(String name) {
        return procSys.resolve(name.replace('.', '/'));
    }
}
