package dev.c1m.tuning.bench;

import dev.c1m.echo.demo.ConsoleLog;
import dev.c1m.tuning.ExitWithParent;
import dev.c1m.tuning.LoadEngine;
import dev.c1m.tuning.LoadPlan;
import dev.c1m.tuning.LoadProgress;
import dev.c1m.tuning.LoadReport;
import dev.c1m.tuning.LoadSupervisor;
import dev.c1m.tuning.SystemView;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The course's load generator: {@code hold}, {@code echo} and {@code ramp} modes against any
 * server speaking the line protocol. See {@link LoadPlan#USAGE} or {@code --help}.
 *
 * <pre>
 * CP=$(printf '%s/target/classes:' chapter0*)   # every chapter's classes, from the repository root
 * java -cp "$CP" \
 *      dev.c1m.tuning.bench.LoadGenMain hold --port 9000 --connections 20000 --heartbeat 1s --hold 30s
 * </pre>
 *
 * When the connections need more descriptors than this process may open, it runs itself as
 * several child JVMs ({@link LoadSupervisor}) and reports their sum. Prints a live progress line
 * to standard error every second and the report (text, or JSON with {@code --json}) to standard
 * output; {@code --csv FILE} appends the result to FILE. Ctrl-C / SIGTERM ends the run early and
 * still reports. Exit status: 0, or 1 when not a single connection was established, 2 on bad
 * options. Child processes ({@code --child}) print {@code PROGRESS} and {@code RESULT} lines;
 * a supervisor passes {@code --go-file PATH} first, and the child waits for that file before it starts.
 */
public final class LoadGenMain {

    /**
     * After SIGTERM, how long the hook lets the run print its report and close its connections
     * (beyond the reply timeout its drain may wait out): the JVM halts when the hook returns.
     * With 5 s, one of 51 processes stopped at once (a million connections to drain and reset
     * on a saturated two-core machine) halted before its RESULT line. The report now comes
     * before the resets; this grace is for the resets, which spare the next run 60 s of
     * TIME_WAIT on those ports (see {@code LoadEngine}).
     */
    private static final long CLOSE_GRACE_SECONDS = 60;

    private LoadGenMain() {
    }

    public static void main(String[] args) throws Exception {
        ConsoleLog.oneLinePerRecord();
        if (Arrays.asList(args).contains("--help")) {
            System.out.println(LoadPlan.USAGE);
            return;
        }
        Path goFile = null;
        if (args.length >= 2 && args[0].equals(LoadSupervisor.GO_FILE_OPTION)) {
            goFile = Path.of(args[1]);
            args = Arrays.copyOfRange(args, 2, args.length);
        }
        LoadPlan plan;
        try {
            plan = LoadPlan.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println(LoadPlan.USAGE);
            System.exit(2);
            return;
        }
        int processes = LoadSupervisor.processesFor(plan, SystemView.live().openFiles().soft());
        if (!plan.child()) {
            System.err.println("load: " + String.join(" ", plan.toArgs()) + " (" + processes + " process"
                    + (processes == 1 ? ")" : "es)"));
        }
        if (plan.child()) {
            // A supervisor that dies (killed, crashed) must not leave its children connecting on.
            ExitWithParent.whenStandardInputEnds(3);
        }
        if (goFile != null) {
            System.out.println(LoadSupervisor.READY);
            LoadSupervisor.awaitGo(goFile);
        }
        Consumer<LoadProgress> progress = progressPrinter(plan);
        // SIGTERM stops the run early; the hook then waits until the run below has printed its
        // report and closed its connections, so that the JVM does not exit in between. The exit
        // status comes after that: a System.exit while the hook waits would wait out its grace.
        CountDownLatch finished = new CountDownLatch(1);
        LoadReport report;
        try {
            report = processes > 1 && !plan.child()
                    ? runSupervised(plan, processes, progress, finished)
                    : runHere(plan, progress, finished);
        } finally {
            finished.countDown();
        }
        if (report.connected() == 0) {
            System.exit(1); // for scripts: not a single connection was established
        }
    }

    private static void printReport(LoadPlan plan, LoadReport report) {
        if (plan.child()) {
            System.out.println("RESULT " + report.encode());
            System.out.flush();
            return;
        }
        System.out.println(plan.json() ? report.toJson() : report.toText());
        if (plan.csv() != null) {
            List<String> lines = new ArrayList<>();
            if (!Files.exists(plan.csv())) {
                lines.add(LoadReport.CSV_HEADER);
            }
            lines.addAll(report.csvRows());
            try {
                Files.write(plan.csv(), lines, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot append the result to " + plan.csv(), e);
            }
        }
    }

    /** Prints the report before the connections are reset: a process stopped while resetting them has told its numbers. */
    private static LoadReport runHere(LoadPlan plan, Consumer<LoadProgress> progress, CountDownLatch finished)
            throws IOException {
        LoadEngine engine = new LoadEngine(plan, System::nanoTime, progress, TimeUnit.SECONDS.toNanos(1));
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> {
            engine.stop();
            awaitQuietly(finished, plan.replyTimeout().toSeconds() + CLOSE_GRACE_SECONDS);
        }));
        return engine.run(report -> printReport(plan, report));
    }

    private static LoadReport runSupervised(LoadPlan plan, int processes, Consumer<LoadProgress> progress,
                                            CountDownLatch finished) throws IOException, InterruptedException {
        LoadSupervisor supervisor = new LoadSupervisor();
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> {
            supervisor.stop();
            awaitQuietly(finished, plan.replyTimeout().toSeconds() + CLOSE_GRACE_SECONDS + 10);
        }));
        LoadReport report = supervisor.run(plan, processes, LoadGenMain.class,
                List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss256k"), progress);
        for (LoadSupervisor.LostProcess lost : supervisor.lost()) {
            System.err.println("warning: a load process ended without a result, and the report leaves it out: " + lost.summary());
        }
        printReport(plan, report);
        return report;
    }

    private static Consumer<LoadProgress> progressPrinter(LoadPlan plan) {
        if (plan.child()) {
            return p -> System.out.println(p.encode());
        }
        if (plan.quiet()) {
            return p -> { };
        }
        LoadProgress[] previous = {LoadProgress.ZERO};
        long[] lastPrinted = {0};
        return p -> {
            if (p.elapsedNanos() - lastPrinted[0] >= 900_000_000L) {
                System.err.println(p.line(previous[0]));
                previous[0] = p;
                lastPrinted[0] = p.elapsedNanos();
            }
        };
    }

    private static void awaitQuietly(CountDownLatch latch, long seconds) {
        try {
            latch.await(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
