package dev.c1m.echo.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A main class of this classpath running in a JVM of its own, with its output captured.
 *
 * <p>Benchmarks use it to keep the server and the load in separate processes (so that one
 * process's threads, heap and descriptors do not blur the other's), and tests use it for what
 * only a real process shows: signals, exit codes, per-process descriptor limits. Standard error
 * is merged into standard output; a daemon thread collects every line, which
 * {@link #awaitLine} searches.
 *
 * <p>Thread-safe. {@link #close()} kills the process if it is still running.
 */
public final class ChildJvm implements AutoCloseable {

    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private boolean outputEnded; // guarded by lines

    private ChildJvm(Process process) {
        this.process = process;
        Thread.ofPlatform().daemon().name("child-" + process.pid() + "-output").start(this::collectOutput);
    }

    /**
     * Starts {@code mainClass} with this JVM's classpath and java binary.
     *
     * @param wrapper    a command to run the JVM under, such as {@code prlimit --nofile=64:64};
     *                   empty for none
     * @param jvmOptions options such as {@code -Xmx64m}
     */
    public static ChildJvm start(List<String> wrapper, List<String> jvmOptions, Class<?> mainClass, String... args)
            throws IOException {
        List<String> command = new ArrayList<>(wrapper);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        return new ChildJvm(new ProcessBuilder(command).redirectErrorStream(true).start());
    }

    public static ChildJvm start(Class<?> mainClass, String... args) throws IOException {
        return start(List.of(), List.of(), mainClass, args);
    }

    private void collectOutput() {
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                synchronized (lines) {
                    lines.add(line);
                    lines.notifyAll();
                }
            }
        } catch (IOException e) {
            // the process is gone; what it printed so far stays available
        } finally {
            synchronized (lines) {
                outputEnded = true;
                lines.notifyAll();
            }
        }
    }

    /**
     * Waits for an output line matching {@code regex} (searched with {@link Matcher#find()}) and
     * returns its match.
     *
     * @throws IllegalStateException if none appears within {@code timeout} or the process exits
     */
    public Matcher awaitLine(String regex, Duration timeout) throws InterruptedException {
        Pattern pattern = Pattern.compile(regex);
        long deadline = System.nanoTime() + timeout.toNanos();
        int searched = 0;
        synchronized (lines) {
            while (true) {
                for (; searched < lines.size(); searched++) {
                    Matcher matcher = pattern.matcher(lines.get(searched));
                    if (matcher.find()) {
                        return matcher;
                    }
                }
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0 || (outputEnded && searched == lines.size())) {
                    throw new IllegalStateException("no line matching /" + regex + "/ from pid " + process.pid()
                            + (process.isAlive() ? " within " + timeout : " before it exited") + "; output:\n" + output());
                }
                TimeUnit.NANOSECONDS.timedWait(lines, Math.min(remaining, TimeUnit.MILLISECONDS.toNanos(100)));
            }
        }
    }

    /** Everything the process printed so far. */
    public String output() {
        synchronized (lines) {
            return String.join("\n", lines);
        }
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Asks the process to stop: SIGTERM on Linux and macOS, which runs its shutdown hooks. Goes
     * through the {@link ProcessHandle} because {@link Process#destroy()} also closes our end of
     * the output pipe, and what the process prints while it shuts down would be lost.
     */
    public void terminate() {
        process.toHandle().destroy();
    }

    /** Waits for the process to exit and returns its exit code. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("pid " + process.pid() + " still running after " + timeout);
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }
}
