package dev.c1m.tuning;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * Reads the Linux facts that decide how many connections a machine can hold, from files under a
 * root directory: {@code /} for the real machine, a fixture tree in tests. Each fact comes from
 * the file the kernel exposes it in:
 *
 * <pre>
 *   proc/self/limits        "Max open files   <soft>   <hard>   files"
 *   proc/self/status        "CapEff: <hex>"   (bit 24 = CAP_SYS_RESOURCE: may raise the hard limit)
 *   proc/sys/fs/file-max, proc/sys/fs/nr_open, proc/sys/net/...   one sysctl per file
 *   proc/meminfo            "MemAvailable: <kB> kB"
 *   sys/devices/system/cpu/online   "0-1" or "0,2-5"
 * </pre>
 *
 * <p>Immutable; every call reads the file again. A missing file is an empty {@link Optional} (a
 * sysctl that this kernel does not have), an unreadable one an {@link UncheckedIOException}.
 */
public final class SystemView {

    /** The capability that allows raising a hard resource limit (linux/capability.h). */
    static final int CAP_SYS_RESOURCE = 24;

    private final Path root;

    public SystemView(Path root) {
        this.root = root;
    }

    /** The running machine. */
    public static SystemView live() {
        return new SystemView(Path.of("/"));
    }

    public Path root() {
        return root;
    }

    /** Soft and hard limit on open files of this process; {@code Long.MAX_VALUE} for "unlimited". */
    public record FileLimits(long soft, long hard) {
    }

    public FileLimits openFiles() {
        String line = read("proc/self/limits").orElseThrow(() -> missing("proc/self/limits")).lines()
                .filter(l -> l.startsWith("Max open files"))
                .findFirst().orElseThrow(() -> new IllegalStateException("no 'Max open files' in " + root.resolve("proc/self/limits")));
        String[] fields = line.substring("Max open files".length()).trim().split("\\s+");
        return new FileLimits(limitValue(fields[0]), limitValue(fields[1]));
    }

    /** Whether this process may raise its hard limits ({@code CAP_SYS_RESOURCE} in {@code CapEff}). */
    public boolean canRaiseHardLimit() {
        String status = read("proc/self/status").orElseThrow(() -> missing("proc/self/status"));
        return status.lines().filter(l -> l.startsWith("CapEff:")).findFirst()
                .map(l -> (Long.parseUnsignedLong(l.substring(7).trim(), 16) >>> CAP_SYS_RESOURCE & 1) == 1)
                .orElse(false);
    }

    /** A sysctl by its dotted name ({@code net.core.somaxconn}), as whitespace-separated numbers. */
    public Optional<long[]> sysctl(String name) {
        return read("proc/sys/" + name.replace('.', '/'))
                .map(text -> Arrays.stream(text.trim().split("\\s+")).mapToLong(Long::parseLong).toArray());
    }

    /** A single-valued sysctl. */
    public Optional<Long> sysctlValue(String name) {
        return sysctl(name).map(values -> values[0]);
    }

    public long memAvailableBytes() {
        return read("proc/meminfo").orElseThrow(() -> missing("proc/meminfo")).lines()
                .filter(l -> l.startsWith("MemAvailable:")).findFirst()
                .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024)
                .orElseThrow(() -> new IllegalStateException("no MemAvailable in " + root.resolve("proc/meminfo")));
    }

    /** Online CPUs, from a list of ranges such as {@code 0-3,6}. */
    public int cores() {
        String list = read("sys/devices/system/cpu/online").orElseThrow(() -> missing("sys/devices/system/cpu/online")).trim();
        int count = 0;
        for (String range : list.split(",")) {
            String[] ends = range.split("-");
            count += ends.length == 1 ? 1 : Integer.parseInt(ends[1]) - Integer.parseInt(ends[0]) + 1;
        }
        return count;
    }

    private Optional<String> read(String relative) {
        try {
            return Optional.of(readProcFile(root.resolve(relative)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The whole text of a {@code /proc} file. Not {@code Files.readString}: it trusts the size
     * {@code /proc/sys} reports (0) and reads a sysctl such as "32768\t60999" as "3" (measured on
     * JDK 25). One stream read of a whole buffer gets the full text.
     */
    public static String readProcFile(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private IllegalStateException missing(String relative) {
        return new IllegalStateException("cannot read " + root.resolve(relative));
    }

    private static long limitValue(String text) {
        return text.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(text);
    }
}
