package dev.c1m.tuning;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * An ahead-of-time cache for one kind of child JVM (JDK 25+, JEPs 483 and 514): the classes it
 * loads at start-up, read, parsed and linked once in a training run and written to a file, which
 * every later JVM started with the same classpath and options maps instead of doing that work
 * again. A million-connection run on a machine whose descriptor limit is 20,000 starts 104 JVMs
 * at once on two cores, and their start-up is part of its ramp: with the cache, 110 JVMs (the
 * count before the workers were sized for the hash's real spread) listened after 15 s instead of
 * 27-31 s, for half the CPU (chapter 8's Results, part 2).
 *
 * <p>The file's name is a digest of everything the JVM checks before it trusts a cache: the JDK
 * (home and version), the JVM options, and each classpath entry's path, size and modification
 * time. A rebuilt jar or a changed option therefore names a new file, which the caller trains; a
 * stale file is never offered. The JDK refuses a cache whose classpath has a directory in it, so
 * only a classpath of jars can have one ({@link #unavailableBecause}).
 *
 * <p>What it does not do: train. The caller runs the JVM once with {@link #trainingOptions()}
 * and a workload like the real one; the JVM writes the file when it exits normally (killed, it
 * writes nothing). Immutable.
 *
 * @param file where the cache is (or will be, once trained)
 */
public record AotCache(Path file) {

    /** The first JDK with {@code -XX:AOTCacheOutput}, which trains and writes a cache in one run. */
    public static final int FIRST_JDK = 25;

    /**
     * Why a JVM of this JDK with this classpath cannot use a cache, or empty if it can.
     *
     * @param jdkFeature the runtime's feature release, such as {@code Runtime.version().feature()}
     * @param classPath  the classpath the child JVMs get, entries separated by {@link File#pathSeparator}
     */
    public static Optional<String> unavailableBecause(int jdkFeature, String classPath) {
        if (jdkFeature < FIRST_JDK) {
            return Optional.of("JDK " + jdkFeature + " has no AOT cache (JDK " + FIRST_JDK + "+ has)");
        }
        for (String entry : classPath.split(File.pathSeparator)) {
            if (!entry.isEmpty() && Files.isDirectory(Path.of(entry))) {
                return Optional.of("the classpath has a directory (" + entry + "), and a cache needs jars only");
            }
        }
        return Optional.empty();
    }

    /**
     * The cache for JVMs of {@code kind} started from this JDK with these options and classpath,
     * in {@code directory}.
     *
     * @param kind a name for the reader, such as {@code worker} or {@code load}
     */
    public static AotCache in(Path directory, String kind, String javaHome, String jdkVersion,
                              List<String> jvmOptions, String classPath) {
        MessageDigest digest = sha256();
        update(digest, javaHome);
        update(digest, jdkVersion);
        jvmOptions.forEach(option -> update(digest, option));
        for (String entry : classPath.split(File.pathSeparator)) {
            update(digest, entry);
            Path path = Path.of(entry);
            try {
                update(digest, Files.exists(path) ? Files.size(path) + "@" + Files.getLastModifiedTime(path).toMillis() : "missing");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + entry, e);
            }
        }
        String id = HexFormat.of().formatHex(digest.digest(), 0, 6);
        return new AotCache(directory.resolve(kind + "-" + id + ".aot"));
    }

    /** The cache for child JVMs of this JVM's own JDK and classpath, in {@code directory}. */
    public static AotCache forThisClassPath(Path directory, String kind, List<String> jvmOptions) {
        return in(directory, kind, System.getProperty("java.home"), System.getProperty("java.vm.version"),
                jvmOptions, System.getProperty("java.class.path"));
    }

    /** Whether the file is there: trained before, for exactly this JDK, these options and these jars. */
    public boolean trained() {
        return Files.isRegularFile(file);
    }

    /** The options of the training JVM: it writes the cache to {@link #file()} when it exits. */
    public List<String> trainingOptions() {
        return List.of("-XX:AOTCacheOutput=" + file);
    }

    /**
     * The options of a JVM that uses the cache. If the JVM finds the cache unusable after all, it
     * says so in a warning and starts the slow way: a cache is an optimization, never a condition.
     */
    public List<String> useOptions() {
        return List.of("-XX:AOTCache=" + file);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static void update(MessageDigest digest, String value) {
        digest.update(value.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
    }
}
