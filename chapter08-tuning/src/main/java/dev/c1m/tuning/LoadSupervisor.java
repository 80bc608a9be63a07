package dev.c1m.tuning;

import dev.c1m.echo.bench.ChildJvm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Runs one {@link LoadPlan} over several child JVMs when one process cannot hold all the
 * connections (each connection costs the client a descriptor, and the hard limit may be below
 * the target and impossible to raise). Each child runs {@code childMain} with its
 * {@link LoadPlan#share share} of the plan and {@code --child}, prints a
 * {@link LoadProgress#PREFIX PROGRESS} line every second and one {@code RESULT <encoded report>}
 * line at the end. Children start together: each prints {@value #READY} once its JVM is up and then
 * waits for a start file to appear ({@link #awaitGo}); the supervisor creates it when all are ready,
 * so that one child's hold phase is not over before a slow-starting sibling has connected. The
 * supervisor sums the progress lines for the live display and merges the
 * results into one report.
 *
 * <p>Supervision: a child that exits without a result (killed, crashed) or outlives twice the
 * run's worst case is a {@link LostProcess}: the report merges the others' results, and
 * {@link #lost()} says which process is missing from it, what it had when last heard of, and its
 * last words. A hole in the numbers must never be silent, but one process of fifty that dies
 * fifteen minutes into a run should not take the other forty-nine's measurements with it. Only
 * when no child reports does {@link #run} fail. {@link #stop()} sends SIGTERM to every child,
 * which makes it finish early and still report. Children are killed when {@link #run} returns or
 * throws.
 *
 * <p>Threading: {@link #run} on one thread; {@link #stop()} from any thread.
 */
public final class LoadSupervisor {

    /** Passed first to each child: where the start signal will appear. */
    public static final String GO_FILE_OPTION = "--go-file";
    /** What a child prints once it is up and waits for the start signal. */
    public static final String READY = "READY";
    private static final String RESULT_LINE = "^RESULT .*";
    private static final Duration CHILD_START_TIMEOUT = Duration.ofSeconds(90);
    /** How long the output of a child that has exited may take to arrive in full. */
    private static final Duration LAST_WORDS_TIMEOUT = Duration.ofSeconds(10);
    private static final int LAST_WORDS_LINES = 5;

    /** Descriptors a load process keeps for itself (jars, selector, pipes). */
    static final int RESERVED_DESCRIPTORS = 64;

    /** Added to by the thread in {@link #run}, read by {@link #stop()} from any thread. */
    private final List<ChildJvm> children = new CopyOnWriteArrayList<>();
    private final List<LostProcess> lost = new ArrayList<>();
    private volatile boolean stopped;

    /**
     * A load process that ended without a result. Its connections closed with it, and nothing it
     * measured is in the merged report.
     *
     * @param lastProgress its last {@code PROGRESS} line: what it had when last heard of
     *                     ({@link LoadProgress#ZERO} if it never printed one)
     * @param why          how it ended, with the last lines it printed
     */
    public record LostProcess(long pid, LoadProgress lastProgress, String why) {

        /** One line for a report. */
        public String summary() {
            String heard = lastProgress.equals(LoadProgress.ZERO) ? "no progress heard from it"
                    : String.format(Locale.ROOT, "last heard of %.0f s into its run, with %,d connections open and %,d"
                    + " heartbeats answered", lastProgress.elapsedNanos() / 1e9, lastProgress.open(), lastProgress.answered());
            return "pid " + pid + ", " + heard + ": " + why;
        }
    }

    /**
     * Processes a plan needs: as asked, or enough that each stays under {@code descriptorLimit}.
     */
    public static int processesFor(LoadPlan plan, long descriptorLimit) {
        if (plan.processes() > 0) {
            return plan.processes();
        }
        long perProcess = Math.max(1, descriptorLimit - RESERVED_DESCRIPTORS);
        return (int) Math.max(1, (plan.connections() + perProcess - 1) / perProcess);
    }

    /**
     * Starts {@code processes} children of {@code childMain}, waits for all their results and
     * returns the merged report.
     *
     * @param jvmOptions options for each child JVM, for example {@code -Xmx64m -XX:+UseSerialGC}
     * @param progress   receives the summed progress of all children about once a second
     */
    public LoadReport run(LoadPlan plan, int processes, Class<?> childMain, List<String> jvmOptions,
                          Consumer<LoadProgress> progress) throws IOException, InterruptedException {
        Path goFile = Files.createTempDirectory("c1m-load-").resolve("go");
        try {
            for (int i = 0; i < processes; i++) {
                List<String> args = new ArrayList<>(List.of(GO_FILE_OPTION, goFile.toString()));
                args.addAll(plan.share(i, processes).toArgs());
                children.add(ChildJvm.start(List.of(), jvmOptions, childMain, args.toArray(String[]::new)));
            }
            for (ChildJvm child : children) {
                try {
                    child.awaitLine("^" + READY + "$", CHILD_START_TIMEOUT);
                } catch (IllegalStateException e) {
                    throw new IOException("load process " + child.pid() + " did not start: " + e.getMessage());
                }
            }
            Files.createFile(goFile); // all children start their plan now, so their phases overlap
            if (stopped) {
                stop();
            }
            // Twice the planned worst case: a loaded machine ramps slower than planned, and a child
            // that is still alive and within this bound is working, not hung.
            long deadline = System.nanoTime() + worstCase(plan, processes).multipliedBy(2).toNanos();
            List<LoadReport> results = new ArrayList<>();
            for (ChildJvm child : children) {
                awaitResult(child, deadline, progress).ifPresent(results::add);
            }
            if (results.isEmpty()) {
                throw new IOException("no load process reported; the first: " + lost.getFirst().summary());
            }
            return LoadReport.merge(results);
        } finally {
            for (ChildJvm child : children) {
                child.close();
            }
            Files.deleteIfExists(goFile);
            Files.deleteIfExists(goFile.getParent());
        }
    }

    /** The children that ended without a result, in the order they were started. */
    public List<LostProcess> lost() {
        return List.copyOf(lost);
    }

    /** The child's result; empty, with the child added to {@link #lost}, if it ends without one or runs past the deadline. */
    private Optional<LoadReport> awaitResult(ChildJvm child, long deadline, Consumer<LoadProgress> progress)
            throws InterruptedException {
        while (true) {
            progress.accept(LoadProgress.sum(children.stream().map(LoadSupervisor::latestProgress).toList()));
            try {
                return Optional.of(result(child.awaitLine(RESULT_LINE, Duration.ofSeconds(1)).group()));
            } catch (IllegalStateException notYet) {
                if (!child.isAlive()) {
                    try { // it may have printed its result just before it exited, and the line be on its way
                        return Optional.of(result(child.awaitLine(RESULT_LINE, LAST_WORDS_TIMEOUT).group()));
                    } catch (IllegalStateException none) {
                        lost.add(new LostProcess(child.pid(), latestProgress(child),
                                "exited with status " + child.awaitExit(Duration.ZERO) + " without a result" + lastWords(child)));
                        return Optional.empty();
                    }
                }
                if (System.nanoTime() > deadline) {
                    child.close();
                    lost.add(new LostProcess(child.pid(), latestProgress(child),
                            "still running at twice the run's worst case, killed" + lastWords(child)));
                    return Optional.empty();
                }
            }
        }
    }

    private static LoadReport result(String line) {
        return LoadReport.decode(line.substring("RESULT ".length()));
    }

    private static String lastWords(ChildJvm child) {
        List<String> lines = child.output().lines().filter(l -> !l.startsWith(LoadProgress.PREFIX)).toList();
        return lines.isEmpty() ? "; it printed nothing"
                : "; its last lines: " + String.join(" | ", lines.subList(Math.max(0, lines.size() - LAST_WORDS_LINES), lines.size()));
    }

    /** Asks every child to finish now and report what it has. Any thread. */
    public void stop() {
        stopped = true;
        for (ChildJvm child : children) {
            child.terminate();
        }
    }

    /**
     * For a child, after it printed {@value #READY} on standard output: waits until the
     * supervisor's start file exists.
     *
     * @throws IOException if it does not appear within the child start timeout
     */
    public static void awaitGo(Path goFile) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + CHILD_START_TIMEOUT.toNanos();
        while (!Files.exists(goFile)) {
            if (System.nanoTime() > deadline) {
                throw new IOException("no start signal at " + goFile + " within " + CHILD_START_TIMEOUT);
            }
            Thread.sleep(10);
        }
    }

    private static LoadProgress latestProgress(ChildJvm child) {
        List<String> lines = child.output().lines().filter(l -> l.startsWith(LoadProgress.PREFIX)).toList();
        return lines.isEmpty() ? LoadProgress.ZERO : LoadProgress.decode(lines.getLast());
    }

    /** The longest a correct child can take: JVM start, the paced ramp, the plan, the drain, a margin. */
    private static Duration worstCase(LoadPlan plan, int processes) {
        long perChildRate = Math.max(1, plan.connectRate() / processes);
        Duration ramp = plan.connectRate() == 0 ? Duration.ZERO
                : Duration.ofSeconds(plan.connections() / processes / perChildRate + 1);
        return Duration.ofSeconds(30).plus(ramp).plus(plan.connectTimeout()).plus(plan.plannedDuration())
                .plus(plan.replyTimeout());
    }
}
