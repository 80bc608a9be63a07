package dev.c1m.tuning.bench;

import dev.c1m.echo.bench.ChildJvm;
import dev.c1m.echo.demo.ConsoleLog;
import dev.c1m.echo.demo.Options;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code -XX:MaxDirectMemorySize} does: at which total of direct buffers the JVM throws
 * {@code OutOfMemoryError: Cannot reserve ... bytes of direct buffer memory}, what the limit is
 * when the flag is not given, whether buffers that are merely unreachable count against it, and
 * how Native Memory Tracking shows direct buffers.
 *
 * <p>Each configuration runs {@link DirectBufferFiller} in a child JVM with
 * {@code -XX:NativeMemoryTracking=summary}. In {@code hold} mode this JVM runs
 * {@code jcmd PID VM.native_memory summary} before the first buffer and again while the child holds
 * {@code --checkpoint-mib}, and reads the {@code Other} category (where the JDK's
 * {@code Unsafe.allocateMemory}, and so every direct buffer, is counted); then the child fills up
 * to the error. In {@code drop} mode the child allocates ten times the limit without keeping any
 * buffer: the JDK then calls {@code System.gc()} itself to free unreachable buffers before it
 * gives up, unless {@code -XX:+DisableExplicitGC} turns that call into nothing.
 *
 * <pre>
 * CP=$(printf '%s/target/classes:' chapter0*)   # every chapter's classes, from the repository root
 * java -cp "$CP" \
 *      dev.c1m.tuning.bench.DirectMemoryLimit [--checkpoint-mib 32] [--out chapter08-tuning/results]
 * </pre>
 * Prints a table and writes {@code direct-memory.csv}. Deterministic apart from the GC counts.
 * Runs on the main thread, one child JVM at a time.
 * Does not cover memory-mapped files ({@code FileChannel.map}, not limited by the flag) or
 * {@code Arena}/{@code MemorySegment} allocations, which have no such limit either.
 */
public final class DirectMemoryLimit {

    private static final int MIB = 1024 * 1024;
    private static final Pattern NMT_OTHER = Pattern.compile("-\\s+Other \\(reserved=\\d+KB, committed=(\\d+)KB\\)");

    private record Config(String name, List<String> jvmOptions, int bufferBytes, boolean hold) {
    }

    /** What one child reported; the NMT fields are empty in drop mode. */
    private record Result(Config config, long maxDirectOption, long maxMemory, String nmtOtherKbBefore,
                          String nmtOtherKbAtCheckpoint, long checkpointBytes, String outcome, long bytesAtEnd, long gcs,
                          String message) {
        String csv() {
            return String.format(Locale.ROOT, "%s,%d,%s,%d,%d,%s,%s,%d,%s,%d,%d,\"%s\"", config.name.replace(",", ";"),
                    config.bufferBytes, config.hold ? "hold" : "drop", maxDirectOption, maxMemory, nmtOtherKbBefore,
                    nmtOtherKbAtCheckpoint, checkpointBytes, outcome, bytesAtEnd, gcs, message);
        }
    }

    private static final List<Config> CONFIGS = List.of(
            new Config("-Xmx256m (flag not given), G1", List.of("-Xmx256m"), MIB, true),
            new Config("-Xmx256m (flag not given), Serial", List.of("-Xmx256m", "-XX:+UseSerialGC"), MIB, true),
            new Config("-XX:MaxDirectMemorySize=64m", List.of("-Xmx256m", "-XX:MaxDirectMemorySize=64m"), MIB, true),
            new Config("-XX:MaxDirectMemorySize=64m, 96 KiB buffers", List.of("-Xmx256m", "-XX:MaxDirectMemorySize=64m"),
                    96 * 1024, true),
            new Config("-XX:MaxDirectMemorySize=64m, buffers dropped", List.of("-Xmx256m", "-XX:MaxDirectMemorySize=64m"),
                    MIB, false),
            new Config("-XX:MaxDirectMemorySize=64m, buffers dropped, -XX:+DisableExplicitGC",
                    List.of("-Xmx256m", "-XX:MaxDirectMemorySize=64m", "-XX:+DisableExplicitGC"), MIB, false));

    private DirectMemoryLimit() {
    }

    public static void main(String[] args) throws Exception {
        ConsoleLog.oneLinePerRecord();
        Options o = Options.parseOrExit(args, "usage: DirectMemoryLimit [--checkpoint-mib N] [--out DIR]",
                List.of("checkpoint-mib", "out"), List.of());
        int checkpointMib = o.integer("checkpoint-mib", 32, 1, 60);
        Path out = Path.of(o.string("out", "chapter08-tuning/results"));
        System.out.printf("direct buffers against -XX:MaxDirectMemorySize, NMT at 0 and %d MiB held, JDK %s%n",
                checkpointMib, Runtime.version());
        List<String> csv = new ArrayList<>(List.of(
                "configuration,buffer_bytes,mode,max_direct_option,max_memory,nmt_other_kb_before,nmt_other_kb_at_checkpoint,"
                        + "checkpoint_bytes,outcome,bytes_at_end,gcs,message"));
        List<Result> results = new ArrayList<>();
        for (Config config : CONFIGS) {
            Result result = run(config, (long) checkpointMib * MIB);
            results.add(result);
            csv.add(result.csv());
            System.out.println("  " + result.csv());
        }
        System.out.printf("%n%-66s %9s %12s %11s %6s %14s %14s%n", "configuration", "buffer", "limit MiB", "at end MiB",
                "GCs", "NMT Other 0", "NMT Other " + checkpointMib + "M");
        for (Result r : results) {
            long limit = r.maxDirectOption > 0 ? r.maxDirectOption : r.maxMemory;
            System.out.printf(Locale.ROOT, "%-66s %9s %12.2f %11.2f %6d %14s %14s  %s%n", r.config.name,
                    r.config.bufferBytes / 1024 + " KiB", limit / (double) MIB, r.bytesAtEnd / (double) MIB, r.gcs,
                    r.config.hold ? r.nmtOtherKbBefore + " KB" : "-", r.config.hold ? r.nmtOtherKbAtCheckpoint + " KB" : "-",
                    r.outcome);
        }
        Files.createDirectories(out);
        Files.write(out.resolve("direct-memory.csv"), csv);
        System.out.println("\nwrote " + out.resolve("direct-memory.csv"));
    }

    private static Result run(Config config, long checkpointBytes) throws Exception {
        Path goDir = Files.createTempDirectory("direct-memory");
        List<String> options = new ArrayList<>(config.jvmOptions);
        options.add("-XX:NativeMemoryTracking=summary");
        long total = config.hold ? checkpointBytes : 10L * 64 * MIB;
        try (ChildJvm child = ChildJvm.start(List.of(), options, DirectBufferFiller.class, Integer.toString(config.bufferBytes),
                Long.toString(total), goDir.toString(), config.hold ? "hold" : "drop")) {
            Matcher ready = child.awaitLine("READY MaxDirectMemorySize=(\\d+) maxMemory=(\\d+)", Duration.ofSeconds(60));
            String otherBefore = "";
            String otherAtCheckpoint = "";
            if (config.hold) {
                otherBefore = nmtOtherKb(child.pid());
                Files.createFile(goDir.resolve("go-1"));
                child.awaitLine("CHECKPOINT", Duration.ofSeconds(60));
                otherAtCheckpoint = nmtOtherKb(child.pid());
                Files.createFile(goDir.resolve("go-2"));
            }
            Matcher end = child.awaitLine("^(OOME|DONE) (?:held|allocated)=(\\d+).*?gcs=(\\d+)(?: message=(.*))?$",
                    Duration.ofSeconds(120));
            return new Result(config, Long.parseLong(ready.group(1)), Long.parseLong(ready.group(2)), otherBefore,
                    otherAtCheckpoint, config.hold ? checkpointBytes : 0, end.group(1), Long.parseLong(end.group(2)),
                    Long.parseLong(end.group(3)), end.group(4) == null ? "" : end.group(4));
        } finally {
            try (var files = Files.list(goDir)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(goDir);
        }
    }

    /** The committed KB of NMT's {@code Other} category, read with {@code jcmd PID VM.native_memory summary}. */
    private static String nmtOtherKb(long pid) throws IOException, InterruptedException {
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid), "VM.native_memory", "summary", "scale=KB").redirectErrorStream(true).start();
        String output = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        jcmd.waitFor();
        Matcher m = NMT_OTHER.matcher(output);
        if (!m.find()) {
            throw new IOException("no Other category in jcmd output:\n" + output);
        }
        return m.group(1);
    }
}
