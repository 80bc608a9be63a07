package dev.c1m.tuning.bench;

import dev.c1m.concurrency.load.LatencyHistogram;
import dev.c1m.echo.demo.ConsoleLog;
import dev.c1m.echo.demo.Options;
import dev.c1m.lifecycle.ShutdownReport;
import dev.c1m.nio.Connection;
import dev.c1m.tuning.CpuByProcess;
import dev.c1m.tuning.ErrorKind;
import dev.c1m.tuning.KernelMeter;
import dev.c1m.tuning.LoadPlan;
import dev.c1m.tuning.LoadProgress;
import dev.c1m.tuning.LoadReport;
import dev.c1m.tuning.LoadSupervisor;
import dev.c1m.echo.bench.ProcessMeter;
import dev.c1m.echo.bench.ProcessMeter.HeapCensus;
import dev.c1m.tuning.ReadinessCheck;
import dev.c1m.tuning.ReadinessDoctor;
import dev.c1m.tuning.ReadinessReport;
import dev.c1m.tuning.ReadinessTarget;
import dev.c1m.tuning.ReusePortSizing;
import dev.c1m.tuning.SysctlChanges;
import dev.c1m.tuning.SystemView;
import dev.c1m.tuning.Verdict;
import dev.c1m.tuning.demo.C1mServerMain;
import dev.c1m.tuning.demo.ServerNodeMain;
import dev.c1m.tuning.server.MetricsSum;
import dev.c1m.tuning.server.ServerNode;
import dev.c1m.tuning.server.WorkerSupervisor;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * The C1M run, in one command: checks the machine with the doctor, raises the few kernel
 * settings the run needs, starts the million-connection server (a {@link WorkerSupervisor} with as
 * many {@code SO_REUSEPORT} worker processes as the descriptor limit requires) and the load
 * generator (a {@link LoadSupervisor} with as many processes and loopback source addresses as
 * needed), ramps to N connections, holds them with one heartbeat per connection per interval,
 * measures while holding, stops everything gracefully, restores the kernel settings, and prints
 * the report (also written, with a timeline CSV and chart, under {@code --results}).
 *
 * <pre>
 * ./c1m                                      (1,000,000 connections for 10 minutes, where the doctor allows)
 * ./c1m --connections 20000 --hold 1m --heartbeat 10s   (about the root README's demo)
 * java -cp "$CP" dev.c1m.tuning.bench.C1mRun --help
 * </pre>
 * Run it as root to let it change kernel settings; otherwise it runs with the settings as they are.
 */
public final class C1mRun {

    static final String USAGE = """
            usage: C1mRun [options]
              --connections N    connections to hold (default 1000000); if the doctor says this machine
                                 cannot, the largest number it can, with the reason
              --hold T           how long to hold them once all are open (default 10m)
              --heartbeat T      one PING per connection per interval (default 30s)
              --connect-rate N   ramp speed, connections per second (default 15000); a ramp still short of
                                 N three times its planned length plus a minute after it began is cut short,
                                 and the run holds what is open
              --busy N           echo connections to run alongside the held ones for --busy-duration,
                                 closed loop, half-way through the hold (default 0 = none)
              --busy-duration T  (default 30s)
              --server KIND      course: chapter 8's server (default); bare: BareHeartbeatServerMain, the
                                 floor it is measured against (PING -> PONG and nothing else)
              --server-batch-window T  each worker reactor's pause after a light turn (default 10ms)
              --load-batch-window T    each load process's pause after a light turn, once its connections
                                 are open; part of the RTT it measures (default 0ms = none)
              --descriptor-limit N  size the processes as if each could open only N descriptors (at most
                                 the real limit): a smaller run with a larger run's process count
              --results DIR      where the report, the timeline CSV and its chart go (default c1m-results)
              --aot-cache on|off an AOT cache for the start-up of the worker and load JVMs (JDK 25+, a
                                 classpath of jars, as ./c1m has), trained once per build (default on)
              durations: 500ms, 10s, 2m, 1h""";

    private static final Duration SAMPLE_INTERVAL = Duration.ofSeconds(5);
    /** Lost load processes the report describes one by one (the live output names every one). */
    private static final int LOST_SHOWN = 3;
    /** How many empty workers the heap baseline is measured on ({@code Run.emptyWorkersHeap}). */
    private static final int BASELINE_SAMPLE = 3;
    /** The load reports its round trips per step of this; "while holding" is made of whole steps. */
    static final Duration LOAD_STEP = Duration.ofSeconds(10);
    /**
     * Connections per loopback source address: about half the ephemeral port range, where
     * connects stay fast (14,116 with the default range); less where the range is narrower.
     */
    private static final int MAX_PER_SOURCE = (int) Math.min(14_000,
            SystemView.live().sysctl("net.ipv4.ip_local_port_range").map(r -> (r[1] - r[0] + 1) / 2).orElse(14_000L));
    /**
     * How much longer than the run's hold each load process would hold on its own. A process's
     * own hold starts when its share is open, which on a loaded machine is minutes before the
     * slowest process's; this run ends the hold itself, for every process at once, a hold after
     * the last connection opened. The margin only bounds a run whose supervisor went missing.
     */
    static final Duration LOAD_HOLD_MARGIN = Duration.ofMinutes(30);
    static final List<String> SERVER_JVM = WorkerSupervisor.workerJvmOptions("64m");
    /**
     * The load processes' JVM: as the workers' (the generator's CPU shares the same two cores),
     * plus a small young generation. With the default one, a process's first young collection
     * came about 250 s after its start and copied all its connections into pages never touched
     * before, in 51 identical processes within the same seconds: a stall of several seconds at
     * the same point of every million-connection run. With 8 MiB the stall was gone (Results,
     * part 2).
     */
    static final List<String> LOAD_JVM = Stream.concat(WorkerSupervisor.workerJvmOptions("96m").stream(),
            Stream.of("-Xmn8m")).toList();

    /** One row of the timeline. */
    record Sample(double seconds, long clientsOpen, long serverConnections, long serverRssBytes,
                  long serverHeapUsedBytes, long slabBytes, long fewestInAWorker, long mostInAWorker) {
        static final String CSV_HEADER = "seconds,clients_open,server_connections,server_rss_bytes,server_heap_used_bytes,slab_bytes,"
                + "worker_connections_min,worker_connections_max";

        String csv() {
            return String.format(Locale.ROOT, "%.1f,%d,%d,%d,%d,%d,%d,%d", seconds, clientsOpen, serverConnections,
                    serverRssBytes, serverHeapUsedBytes, slabBytes, fewestInAWorker, mostInAWorker);
        }
    }

    private C1mRun() {
    }

    public static void main(String[] args) throws Exception {
        ConsoleLog.oneLinePerRecord();
        Options o = Options.parseOrExit(args, USAGE, List.of("connections", "hold", "heartbeat", "connect-rate", "busy",
                "busy-duration", "server", "server-batch-window", "load-batch-window", "descriptor-limit", "results",
                "aot-cache"),
                List.of());
        long requested = o.integer("connections", 1_000_000, 1, Integer.MAX_VALUE);
        int realLimit = (int) Math.min(SystemView.live().openFiles().hard(), Integer.MAX_VALUE);
        Settings settings = new Settings(
                safeConnections(new ReadinessDoctor(SystemView.live()), requested),
                LoadPlan.duration(o, "hold", "10m"), LoadPlan.duration(o, "heartbeat", "30s"),
                o.integer("connect-rate", 15_000, 1, Integer.MAX_VALUE), o.integer("busy", 0, 0, 100_000),
                LoadPlan.duration(o, "busy-duration", "30s"), ServerKind.parse(o.string("server", "course")),
                LoadPlan.duration(o, "server-batch-window", C1mServerMain.WORKER_BATCH_WINDOW.toMillis() + "ms"),
                LoadPlan.duration(o, "load-batch-window", "0ms"),
                o.integer("descriptor-limit", realLimit, 1_300, realLimit),
                Path.of(o.string("results", "c1m-results")), onOrOff(o.string("aot-cache", "on"), "--aot-cache"));
        try {
            checkBeforeStarting(settings);
        } catch (IllegalArgumentException refused) {
            System.err.println("C1mRun: " + refused.getMessage());
            System.exit(2);
        }
        SysctlChanges sysctls = new SysctlChanges(Path.of("/proc/sys"));
        Thread restoreOnInterrupt = Thread.ofPlatform().unstarted(() -> restoreQuietly(sysctls));
        Runtime.getRuntime().addShutdownHook(restoreOnInterrupt);
        try {
            raiseKernelSettings(sysctls, SystemView.live(), settings.connections());
            AotTraining jvms = settings.aotCache()
                    ? AotTraining.prepare(aotDirectory(), settings.server().workerMain, SERVER_JVM, LOAD_JVM)
                    : AotTraining.without(SERVER_JVM, LOAD_JVM, "--aot-cache off");
            System.out.println("JVM start-up: " + jvms.summary());
            new Run(settings, sysctls, jvms).execute();
        } finally {
            restoreQuietly(sysctls);
        }
    }

    /** @param descriptorLimit what the processes are sized for: the real per-process limit, or a smaller one asked for */
    record Settings(long connections, Duration hold, Duration heartbeat, int connectRate, int busy,
                    Duration busyDuration, ServerKind server, Duration serverBatchWindow, Duration loadBatchWindow,
                    long descriptorLimit, Path results, boolean aotCache) {
    }

    private static boolean onOrOff(String value, String option) {
        return switch (value) {
            case "on" -> true;
            case "off" -> false;
            default -> throw new IllegalArgumentException(option + " must be on or off, got " + value);
        };
    }

    /** Beside this class's jar (target/aot), so that a clean build removes the caches with the jars they were made for. */
    private static Path aotDirectory() throws URISyntaxException {
        return Path.of(C1mRun.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getParent().resolve("aot");
    }

    /**
     * Which server the run measures: the course's, or the bare floor under it (same supervisor,
     * load and report), and the class of which its heap holds one instance per connection.
     */
    enum ServerKind {
        COURSE(ServerNodeMain.class, Connection.class.getName()),
        BARE(BareHeartbeatServerMain.class, "sun.nio.ch.SocketChannelImpl");

        final Class<?> workerMain;
        final String perConnectionClass;

        ServerKind(Class<?> workerMain, String perConnectionClass) {
            this.workerMain = workerMain;
            this.perConnectionClass = perConnectionClass;
        }

        static ServerKind parse(String name) {
            return switch (name) {
                case "course" -> COURSE;
                case "bare" -> BARE;
                default -> throw new IllegalArgumentException("--server must be course or bare, got " + name);
            };
        }

        /** The worker options: the bare server has no idle timeout or admission limit to set. */
        List<String> workerArgs(int reactors, int perWorker, Duration idleTimeout, Duration batchWindow) {
            return this == BARE ? List.of() : List.of("--reactors", Integer.toString(reactors),
                    "--max-connections", Integer.toString(perWorker),
                    "--idle-timeout-ms", Long.toString(idleTimeout.toMillis()),
                    "--batch-window-ms", Long.toString(batchWindow.toMillis()));
        }
    }

    /** The requested number if the doctor sees no FAIL for it; otherwise the largest that passes, with the reasons printed. */
    static long safeConnections(ReadinessDoctor doctor, long requested) {
        ReadinessReport report = doctor.examine(ReadinessTarget.of(requested, true));
        System.out.println(report.toText());
        if (report.overall() != Verdict.FAIL) {
            return requested;
        }
        long fits = 0;
        long fails = requested;
        while (fails - fits > Math.max(1_000, requested / 1_000)) {
            long middle = (fits + fails) / 2;
            if (doctor.examine(ReadinessTarget.of(middle, true)).overall() == Verdict.FAIL) {
                fails = middle;
            } else {
                fits = middle;
            }
        }
        long safe = fits / 1_000 * 1_000;
        System.out.printf(Locale.ROOT, "%nThe doctor says this machine cannot hold %,d connections:%n", requested);
        report.checks().stream().filter(c -> c.verdict() == Verdict.FAIL)
                .forEach(c -> System.out.printf("  %s: %s%n", c.limit(), c.allows()));
        if (safe == 0) {
            throw new IllegalStateException("not even 1,000 connections fit on this machine; see the checks above");
        }
        System.out.printf(Locale.ROOT, "Running with %,d connections, the largest number it passes.%n%n", safe);
        return safe;
    }

    /**
     * The settings the run needs beyond the defaults of a current kernel, each only raised and all
     * restored at the end: a deeper SYN queue for the ramp, room in the connection-tracking table
     * (if the netfilter module is loaded, every loopback connection may be tracked), the TCP
     * memory the doctor asks for, and migrating queued connections to a sibling listener when a
     * worker closes its {@code SO_REUSEPORT} socket. Each is tried on its own: one the run may not
     * write (not root; or {@code nf_conntrack_max} in a network namespace other than the first)
     * is reported and leaves the others to be raised.
     */
    static void raiseKernelSettings(SysctlChanges sysctls, SystemView system, long connections) {
        change("net.ipv4.tcp_max_syn_backlog", name -> sysctls.raiseTo(name, 8_192));
        change("net.netfilter.nf_conntrack_max", name -> sysctls.raiseTo(name, (long) (connections * 2.2)));
        change("net.ipv4.tcp_migrate_req", name -> sysctls.raiseTo(name, 1));
        ReadinessCheck tcpMem = new ReadinessDoctor(system)
                .examine(ReadinessTarget.of(connections, true)).check("net.ipv4.tcp_mem (pages)");
        Matcher wanted = Pattern.compile("tcp_mem=\"([0-9 ]+)\"").matcher(tcpMem.fix());
        if (tcpMem.verdict() != Verdict.PASS && wanted.find()) {
            change("net.ipv4.tcp_mem", name -> sysctls.set(name, wanted.group(1)));
        }
        sysctls.changes().forEach((name, change) -> System.out.println("sysctl " + name + ": " + change));
    }

    /**
     * The round trips of the load's steps that lie wholly within {@code [from, to)} of its clock:
     * step {@code k} covers {@code [k, k + 1)} times {@code step}.
     */
    static LatencyHistogram roundTripsWithin(List<LoadReport.Step> steps, Duration step, Duration from, Duration to) {
        LatencyHistogram within = new LatencyHistogram();
        stepsWithin(steps, step, from, to).forEach(s -> within.add(s.latency()));
        return within;
    }

    /** What a ramp's deadline adds to three times its planned length. */
    static final Duration RAMP_DEADLINE_MARGIN = Duration.ofMinutes(1);

    /**
     * How long after the load starts a ramp may go on: three times the planned ramp, plus
     * {@link #RAMP_DEADLINE_MARGIN}. A machine too small for the run collapses into a state where
     * connections keep failing and reconnecting, so "every connection open" never comes; without
     * a deadline the run would wait for it forever, and no report would say what happened.
     */
    static Duration rampDeadline(long connections, int connectRate) {
        return Duration.ofMillis(3 * 1000 * connections / connectRate).plus(RAMP_DEADLINE_MARGIN);
    }

    /** The hold each load process is given: the run's, plus {@link #LOAD_HOLD_MARGIN} (this run ends it). */
    static Duration loadHold(Duration hold) {
        return hold.plus(LOAD_HOLD_MARGIN);
    }

    /** The load's steps that lie wholly within {@code [from, to)} of its clock. */
    static List<LoadReport.Step> stepsWithin(List<LoadReport.Step> steps, Duration step, Duration from, Duration to) {
        List<LoadReport.Step> within = new ArrayList<>();
        for (int k = 0; k < steps.size(); k++) {
            Duration start = step.multipliedBy(k);
            if (start.compareTo(from) >= 0 && start.plus(step).compareTo(to) <= 0) {
                within.add(steps.get(k));
            }
        }
        return within;
    }

    /** A change of one kernel setting, given its name, that may fail. */
    private interface SysctlChange {
        boolean apply(String name) throws IOException;
    }

    private static void change(String name, SysctlChange change) {
        try {
            change.apply(name);
        } catch (IOException e) {
            System.out.println("note: " + name + " left as it is (" + e.getMessage() + ")");
        }
    }

    private static void restoreQuietly(SysctlChanges sysctls) {
        try {
            sysctls.restore();
        } catch (IOException e) {
            System.err.println("could not restore kernel settings: " + e.getMessage() + "; changed: " + sysctls.changes());
        }
    }

    /** One execution: the server, the load, the sampling and the report. Main thread only. */
    /**
     * Builds every plan the run will hand its load processes, with a stand-in port, so that a
     * value a later stage refuses fails now, before a kernel setting changes or a JVM starts, not
     * minutes into the run. The workers' own limits are checked likewise.
     *
     * @throws IllegalArgumentException naming the value and why
     */
    static void checkBeforeStarting(Settings settings) {
        if (!settings.heartbeat().isPositive()) {
            throw new IllegalArgumentException("--heartbeat must be positive: the workers close connections silent for three of them");
        }
        if (settings.serverBatchWindow().compareTo(Duration.ofSeconds(1)) > 0) {
            throw new IllegalArgumentException("--server-batch-window is at most 1s: " + settings.serverBatchWindow());
        }
        int standInPort = 1;
        holdPlan(settings, standInPort, loadProcesses(settings, standInPort));
        if (settings.busy() > 0) {
            busyPlan(settings, standInPort, settings.busyDuration());
        }
    }

    /** As many load processes as the descriptor limit needs for the hold. */
    static int loadProcesses(Settings settings, int port) {
        return LoadSupervisor.processesFor(holdPlan(settings, port, "auto"), settings.descriptorLimit());
    }

    /**
     * The hold: each load process gets source addresses of its own, enough for its share; a
     * source address is good for about half the ephemeral port range ({@code --max-per-pair}).
     */
    static LoadPlan holdPlan(Settings settings, int port, int loadProcesses) {
        long share = (settings.connections() + loadProcesses - 1) / loadProcesses;
        long sourcesEach = (share + MAX_PER_SOURCE - 1) / MAX_PER_SOURCE;
        return holdPlan(settings, port, Long.toString(loadProcesses * sourcesEach));
    }

    private static LoadPlan holdPlan(Settings settings, int port, String sources) {
        return LoadPlan.parse("hold", "--port", Integer.toString(port),
                "--connections", Long.toString(settings.connections()),
                "--connect-rate", Integer.toString(settings.connectRate()), "--sources", sources,
                "--max-per-pair", Integer.toString(MAX_PER_SOURCE),
                "--heartbeat", settings.heartbeat().toMillis() + "ms", "--heartbeat-reply", "pong",
                "--hold", loadHold(settings.hold()).toMillis() + "ms", "--step-duration", LOAD_STEP.toMillis() + "ms",
                "--batch-window", settings.loadBatchWindow().toMillis() + "ms", "--reconnect");
    }

    /** The busy echo: one process, from source addresses of its own (127.200.0.x), as many as its connections need. */
    static LoadPlan busyPlan(Settings settings, int port, Duration duration) {
        String sources = IntStream.rangeClosed(1, (settings.busy() + MAX_PER_SOURCE - 1) / MAX_PER_SOURCE)
                .mapToObj(i -> "127.200.0." + i).collect(Collectors.joining(","));
        return LoadPlan.parse("echo", "--port", Integer.toString(port),
                "--connections", Integer.toString(settings.busy()), "--sources", sources,
                "--max-per-pair", Integer.toString(MAX_PER_SOURCE),
                "--duration", duration.toMillis() + "ms", "--warmup", "1s", "--message-bytes", "64",
                "--processes", "1", "--quiet");
    }

    private static final class Run {

        private final Settings settings;
        private final SysctlChanges sysctls;
        private final AotTraining jvms;
        private final long started = System.nanoTime();
        private final List<Sample> timeline = new ArrayList<>();
        private final AtomicReference<LoadProgress> clients = new AtomicReference<>(LoadProgress.ZERO);
        /** When the load processes started, on this JVM's {@code nanoTime} clock (their children start together). */
        private final AtomicLong loadStarted = new AtomicLong();
        private final StringBuilder report = new StringBuilder();
        private WorkerSupervisor server;
        /** Seconds into the run: when every worker listened, and when their empty heaps had been measured. */
        private double workersListening, baselineTaken;

        Run(Settings settings, SysctlChanges sysctls, AotTraining jvms) {
            this.settings = settings;
            this.sysctls = sysctls;
            this.jvms = jvms;
        }

        void execute() throws Exception {
            long descriptorLimit = settings.descriptorLimit();
            int perWorker = C1mServerMain.perWorker(descriptorLimit);
            // the busy echo's connections come to the same port, on top of the held ones
            int workers = C1mServerMain.workersFor(settings.connections() + settings.busy(), descriptorLimit);
            int cores = Runtime.getRuntime().availableProcessors();
            long slabBefore = KernelMeter.slabBytes();
            long realLimit = SystemView.live().openFiles().hard();
            System.out.printf(Locale.ROOT, "starting %d server worker(s), up to %,d connections each (descriptor limit %,d%s)...%n",
                    workers, perWorker, descriptorLimit, descriptorLimit < realLimit
                            ? String.format(Locale.ROOT, " from --descriptor-limit; the doctor's plan is for the real %,d", realLimit)
                            : "");
            server = WorkerSupervisor.start(settings.server().workerMain, workers, "127.0.0.1", 0, jvms.workerOptions(),
                    settings.server().workerArgs(workers == 1 ? cores : 1, perWorker, settings.heartbeat().multipliedBy(3),
                            settings.serverBatchWindow()));
            workersListening = secondsSinceStart();
            System.out.printf(Locale.ROOT, "%d worker(s) listening %.1f s into the run%n", workers, workersListening);
            try {
                HeapCensus baseline = emptyWorkersHeap(workers);
                long rssBefore = serverRss();
                baselineTaken = secondsSinceStart();
                System.out.printf(Locale.ROOT, "the empty workers' heap measured %.1f s into the run%n", baselineTaken);
                int loadProcesses = loadProcesses(settings, server.port());
                LoadPlan plan = holdPlan(settings, server.port(), loadProcesses);
                System.out.printf(Locale.ROOT, "server on 127.0.0.1:%d; load: %d process(es); ramping to %,d at %,d/s, then holding %s%n",
                        server.port(), loadProcesses, settings.connections(), settings.connectRate(), settings.hold());
                LoadSupervisor load = new LoadSupervisor();
                CompletableFuture<LoadReport> run = CompletableFuture.supplyAsync(() -> {
                    try {
                        return load.run(plan, loadProcesses, LoadGenMain.class, jvms.loadOptions(), progress -> {
                            clients.set(progress);
                            loadStarted.compareAndSet(0, System.nanoTime() - progress.elapsedNanos());
                        });
                    } catch (IOException | InterruptedException e) {
                        throw new IllegalStateException("the load generator failed: " + e.getMessage(), e);
                    }
                });
                Holding holding = monitor(run, load);
                LoadReport result = run.get();
                load.lost().forEach(lost -> System.out.println("load process lost: " + lost.summary()));
                ShutdownReport drained = server.stop(Duration.ofSeconds(30));
                writeReport(result, load.lost(), holding, baseline, rssBefore, slabBefore, drained, workers, loadProcesses);
            } finally {
                server.close();
            }
        }

        /**
         * What was measured while all connections were held; {@code census} and {@code busyEcho}
         * are null, and {@code windowSeconds} 0, when the hold ended before they were taken.
         * {@code refusedAtAdmission} is read once the load has stopped: the refusals of the whole run.
         * {@code steadyFrom} and {@code steadyTo} bound the steady state on the load's clock: from the
         * CPU window's start to the census (or the end of the hold).
         */
        record Holding(double rampSeconds, double loadStartSeconds, long openWhenRampEnded, long openAtRampDeadline, double serverCores, KernelMeter.CpuTicks machineInWindow,
                       CpuByProcess.Outside outsideInWindow, long heartbeatsInWindow, long serverWakeUpsInWindow, long serverKeysInWindow,
                       long lateAnswersInWindow, double windowSeconds, Duration steadyFrom, Duration steadyTo,
                       HeapCensus census, long clientsOpen, long serverConnections, long fewestInAWorker, long mostInAWorker,
                       long rssBytes, long slabBytes, LoadReport busyEcho, long refusedAtAdmission) {
        }

        /**
         * Samples every few seconds until the load ends, measures while holding, and ends the hold
         * for every load process at once.
         */
        private Holding monitor(CompletableFuture<LoadReport> run, LoadSupervisor load) throws Exception {
            long rampDone = -1;
            Map<Long, Long> cpuStart = Map.of();
            long cpuStartNanos = 0;
            long beatsStart = 0;
            KernelMeter.CpuTicks machineStart = null;
            KernelMeter.CpuTicks machineInWindow = null;
            CpuByProcess byProcessStart = null;
            CpuByProcess.Outside outsideInWindow = null;
            double serverCores = 0;
            long beatsInWindow = 0;
            long wakeUpsStart = 0;
            long wakeUpsInWindow = 0;
            long keysStart = 0;
            long keysInWindow = 0;
            long lateAnswersInWindow = 0;
            double windowSeconds = 0;
            CompletableFuture<LoadReport> busy = null;
            long hold = settings.hold().toNanos();
            // While holding: a CPU window first, then the heap census (a full GC in every worker,
            // which would disturb the window), then the busy echo load.
            long windowFrom = hold / 10;
            long windowTo = windowFrom + Math.min(TimeUnit.MINUTES.toNanos(2), hold * 3 / 10);
            long censusAt = hold * 45 / 100;
            long busyFrom = hold * 6 / 10;
            long busyNanos = Math.min(settings.busyDuration().toNanos(), hold / 4);
            HeapCensus census = null;
            long censusStartedAt = 0;
            Sample atCensus = null;
            Sample lastWhileHolding = null;
            long clientsWhileHolding = 0;
            long lastOpen = -1;
            long clientsAtCensus = 0;
            boolean holdEnded = false;
            long openAtRampDeadline = -1;
            long openWhenRampEnded = 0;
            while (!run.isDone()) {
                TimeUnit.NANOSECONDS.sleep(Math.max(1, SAMPLE_INTERVAL.toNanos() - (System.nanoTime() - started) % SAMPLE_INTERVAL.toNanos()));
                Sample sample = sample();
                long now = System.nanoTime();
                if (rampDone >= 0) {
                    lastWhileHolding = sample;
                    clientsWhileHolding = clients.get().open();
                }
                LoadProgress progress = clients.get();
                boolean allAttempted = progress.attempted() >= settings.connections() && progress.open() == lastOpen;
                lastOpen = progress.open();
                boolean pastDeadline = loadStarted.get() > 0
                        && now - loadStarted.get() >= rampDeadline(settings.connections(), settings.connectRate()).toNanos();
                if (rampDone < 0 && (sample.clientsOpen() >= settings.connections() || allAttempted || pastDeadline)) {
                    rampDone = now;
                    openWhenRampEnded = sample.clientsOpen();
                    if (sample.clientsOpen() < settings.connections() && !allAttempted) {
                        openAtRampDeadline = sample.clientsOpen();
                        System.out.printf(Locale.ROOT, "ramp cut short at its deadline, %.1f s: %,d of %,d connections open; holding what is open%n",
                                (now - started) / 1e9, sample.clientsOpen(), settings.connections());
                    } else {
                        System.out.printf(Locale.ROOT, "ramp done after %.1f s: %,d of %,d connections open (the load started at %.1f s)%n",
                                (now - started) / 1e9, sample.clientsOpen(), settings.connections(),
                                (loadStarted.get() - started) / 1e9);
                    }
                }
                long held = rampDone < 0 ? -1 : now - rampDone;
                if (held >= windowFrom && cpuStartNanos == 0) {
                    cpuStartNanos = now;
                    cpuStart = serverCpuByPid();
                    machineStart = KernelMeter.cpuTicks();
                    byProcessStart = CpuByProcess.now();
                    String metrics = server.scrapeSum();
                    beatsStart = metric(metrics, "c1m_heartbeats_total");
                    wakeUpsStart = metric(metrics, "c1m_reactor_wake_ups_total");
                    keysStart = metric(metrics, "c1m_reactor_ready_keys_total");
                    lateAnswersInWindow = metric(metrics, "c1m_workers_stale");
                }
                if (held >= windowTo && cpuStartNanos > 0 && now > cpuStartNanos && windowSeconds == 0) {
                    windowSeconds = (now - cpuStartNanos) / 1e9;
                    serverCores = serverCpuSince(cpuStart) / 1e9 / windowSeconds;
                    machineInWindow = KernelMeter.cpuTicks().since(machineStart);
                    outsideInWindow = CpuByProcess.now().since(byProcessStart).outside(CpuByProcess.thisProcessTree(), 3);
                    String metrics = server.scrapeSum();
                    beatsInWindow = metric(metrics, "c1m_heartbeats_total") - beatsStart;
                    wakeUpsInWindow = metric(metrics, "c1m_reactor_wake_ups_total") - wakeUpsStart;
                    keysInWindow = metric(metrics, "c1m_reactor_ready_keys_total") - keysStart;
                    lateAnswersInWindow += metric(metrics, "c1m_workers_stale");
                }
                if (held >= censusAt && windowSeconds > 0 && census == null) {
                    long censusStart = System.nanoTime();
                    censusStartedAt = censusStart;
                    census = census();
                    atCensus = sample();
                    clientsAtCensus = clients.get().open();
                    System.out.printf(Locale.ROOT, "heap census of %d worker(s) in %.1f s: %,d connections in their heaps, %,d held%n",
                            server.workerPids().size(), (System.nanoTime() - censusStart) / 1e9,
                            census.instancesOf(settings.server().perConnectionClass), clientsAtCensus);
                }
                // only alongside the held connections: a census that ran late must not push the
                // busy load past the end of the hold, where it would measure an emptying server
                if (held >= busyFrom && held + busyNanos <= hold && census != null && busy == null) {
                    busy = startBusyEcho(Duration.ofNanos(busyNanos));
                }
                if (held >= hold && !holdEnded) {
                    holdEnded = true;
                    load.stop(); // each process drains, closes its connections and reports
                }
            }
            if (lastWhileHolding == null) {
                throw new IllegalStateException("the load ended before all connections were open (the ramp failed): "
                        + run.get().toText());
            }
            if (census == null || busy == null) {
                System.out.println("the hold ended before every measurement was taken; the report says which are missing");
            }
            Sample at = atCensus != null ? atCensus : lastWhileHolding;
            // the steady state: after the CPU window's settling time, before the census disturbs it
            long origin = loadStarted.get();
            Duration steadyFrom = Duration.ofNanos(Math.max(0, rampDone + windowFrom - origin));
            Duration steadyTo = Duration.ofNanos(Math.max(0, (censusStartedAt > 0 ? censusStartedAt : System.nanoTime()) - origin));
            return new Holding((rampDone - started) / 1e9, (loadStarted.get() - started) / 1e9, openWhenRampEnded, openAtRampDeadline, serverCores, machineInWindow, outsideInWindow, beatsInWindow,
                    wakeUpsInWindow, keysInWindow, lateAnswersInWindow, windowSeconds,
                    steadyFrom, steadyTo, census,
                    atCensus != null ? clientsAtCensus : clientsWhileHolding, at.serverConnections(), at.fewestInAWorker(), at.mostInAWorker(), at.serverRssBytes(),
                    at.slabBytes(), busy == null ? null : busy.get(), ServerNode.refusedIn(server.scrapeSum()));
        }

        /** The busy echo load alongside the held connections; an already finished empty future when there is none. */
        private CompletableFuture<LoadReport> startBusyEcho(Duration duration) {
            if (settings.busy() == 0) {
                return CompletableFuture.completedFuture(null);
            }
            System.out.printf(Locale.ROOT, "echo load: %,d busy connections for %s alongside%n", settings.busy(), duration);
            LoadPlan echo = busyPlan(settings, server.port(), duration);
            return CompletableFuture.supplyAsync(() -> {
                try {
                    return new LoadSupervisor().run(echo, 1, LoadGenMain.class, jvms.loadOptions(), progress -> { });
                } catch (IOException | InterruptedException e) {
                    throw new IllegalStateException("the echo load failed: " + e.getMessage(), e);
                }
            });
        }

        private Sample sample() throws IOException {
            String metrics = server.scrapeSum();
            long late = metric(metrics, "c1m_workers_stale");
            LoadProgress progress = clients.get();
            Sample sample = new Sample((System.nanoTime() - started) / 1e9, progress.open(),
                    metric(metrics, "c1m_connections"), serverRss(), metric(metrics, "jvm_heap_used_bytes"),
                    KernelMeter.slabBytes(), metric(metrics, "c1m_worker_connections_min"),
                    metric(metrics, "c1m_worker_connections_max"));
            timeline.add(sample);
            System.out.printf(Locale.ROOT, "[%6.0fs] clients open %,d/%,d  server %,d  heartbeats %,d  errors %,d  "
                            + "server RSS %.2f GiB  kernel slab %.2f GiB%s%n", sample.seconds(), progress.open(),
                    settings.connections(), sample.serverConnections(), progress.answered(), progress.errors(),
                    sample.serverRssBytes() / GIB, sample.slabBytes() / GIB,
                    late == 0 ? "" : String.format(Locale.ROOT, "  (%d worker(s) late: their last answer)", late));
            return sample;
        }

        private long serverRss() {
            return server.workerPids().stream().mapToLong(ProcessMeter::rssBytes).sum();
        }

        private double secondsSinceStart() {
            return (System.nanoTime() - started) / 1e9;
        }

        /** A time on the load's clock, in seconds of this run (the clock of its progress lines). */
        private double runSeconds(long loadNanos) {
            return (loadStarted.get() + loadNanos - started) / 1e9;
        }

        private static long ceilToStep(Duration at) {
            long step = LOAD_STEP.toNanos();
            return (at.toNanos() + step - 1) / step * step;
        }

        private static long floorToStep(Duration at) {
            long step = LOAD_STEP.toNanos();
            return at.toNanos() / step * step;
        }

        private Map<Long, Long> serverCpuByPid() {
            Map<Long, Long> cpu = new HashMap<>();
            server.workerPids().forEach(pid -> cpu.put(pid, ProcessMeter.cpuNanos(pid)));
            return cpu;
        }

        /**
         * The workers' CPU since {@code start}, process by process: a worker started again in
         * between counts from zero, and what its dead predecessor spent after {@code start} can
         * no longer be read, so the figure can only be low, never negative.
         */
        private long serverCpuSince(Map<Long, Long> start) {
            return serverCpuByPid().entrySet().stream()
                    .mapToLong(now -> now.getValue() - start.getOrDefault(now.getKey(), 0L)).sum();
        }

        /**
         * The live heap of all the workers before the first connection, from a census of
         * {@link #BASELINE_SAMPLE} of them: empty workers are the same program in the same state
         * (twelve started alike differed by at most 472 of 1.96 million bytes). Asking every worker
         * took 10-15 s of the run's start with 60 new workers, and asking them while the load's JVMs
         * started saved nothing: both need the same two cores. The estimate read 990-992 B per
         * connection at 200,000 connections, where every worker measured read 986-988 B: a few bytes
         * too many. It must come before any scrape: a worker that has answered one holds more live
         * heap (777-888 B per connection read when scrapes came first).
         */
        private HeapCensus emptyWorkersHeap(int workers) throws IOException {
            int sampled = Math.min(BASELINE_SAMPLE, workers);
            HeapCensus sample = ProcessMeter.sum(server.heapHistograms(sampled).stream().map(ProcessMeter::parseHistogram).toList());
            return sample.scaled(workers / (double) sampled);
        }

        /** Every worker's live heap by class, from its own endpoint: no jcmd JVM per worker on a busy machine. */
        private HeapCensus census() throws IOException {
            return ProcessMeter.sum(server.heapHistograms().stream().map(ProcessMeter::parseHistogram).toList());
        }

        private void writeReport(LoadReport result, List<LoadSupervisor.LostProcess> lostLoad, Holding holding,
                                 HeapCensus baseline, long rssBefore, long slabBefore,
                                 ShutdownReport drained, int workers, int loadProcesses) throws IOException {
            long n = holding.clientsOpen(); // the client side's count: a worker that misses one scrape cannot skew it
            long unexpected = result.errors().getOrDefault(ErrorKind.CLOSED_BY_PEER, 0L)
                    + result.errors().getOrDefault(ErrorKind.RESET, 0L);
            line("C1M run", String.format(Locale.ROOT, "%,d connections, held %s, a heartbeat per connection every %s",
                    settings.connections(), settings.hold(), settings.heartbeat()));
            line("machine", String.format(Locale.ROOT, "%d cores, %.1f GiB, %s %s, JDK %s, %s",
                    Runtime.getRuntime().availableProcessors(), memTotalBytes() / GIB, System.getProperty("os.name"),
                    System.getProperty("os.version"), Runtime.version(), LocalDate.now()));
            line("processes", String.format(Locale.ROOT, "%d server worker(s) of %s %s; %d load process(es) %s; sized for %,d descriptors each",
                    workers, settings.server().workerMain.getSimpleName(), jvms.workerOptions(), loadProcesses, jvms.loadOptions(),
                    settings.descriptorLimit()));
            line("JVM start-up", String.format(Locale.ROOT, "%s; workers listening %.1f s into the run, their empty heaps"
                    + " measured (on " + Math.min(BASELINE_SAMPLE, workers) + " of them) at %.1f s, load started at %.1f s",
                    jvms.summary(), workersListening, baselineTaken,
                    (loadStarted.get() - started) / 1e9));
            line("batch windows", String.format(Locale.ROOT, "server %d ms, load %d ms (a pause after a light turn; the load's is part of its RTT)",
                    settings.serverBatchWindow().toMillis(), settings.loadBatchWindow().toMillis()));
            line("connections held at the end", String.format(Locale.ROOT, "%,d of %,d (while holding: %,d by the clients' count, %,d by the server's metrics)",
                    result.openAtEnd(), settings.connections(), n, holding.serverConnections()));
            line("connections per worker", perWorkerSpread(holding, workers));
            line("worker restarts", Integer.toString(server.restarts()));
            line("load processes lost", lostLoad.isEmpty() ? "none" : String.format(Locale.ROOT,
                    "%d of %d ended without a result; what they measured is not in this report: %s%s", lostLoad.size(),
                    loadProcesses, lostLoad.stream().limit(LOST_SHOWN).map(LoadSupervisor.LostProcess::summary)
                            .collect(Collectors.joining("; ")),
                    lostLoad.size() > LOST_SHOWN ? "; and " + (lostLoad.size() - LOST_SHOWN) + " more" : ""));
            line("ramp", holding.openAtRampDeadline() >= 0
                    ? String.format(Locale.ROOT, "cut short at its deadline, %.1f s into the run (the planned ramp three times over, plus %d s): %,d of %,d open; the hold measured what was open",
                    holding.rampSeconds(), RAMP_DEADLINE_MARGIN.toSeconds(), holding.openAtRampDeadline(), settings.connections())
                    : String.format(Locale.ROOT, "%.1f s into the run, %,d of %,d open (the load started at %.1f s: JVMs"
                            + " starting and the empty heaps' census before it), %,.0f connects/s at the load generator",
                    holding.rampSeconds(), holding.openWhenRampEnded(), settings.connections(), holding.loadStartSeconds(),
                    result.connectsPerSecond()));
            line("unexpected disconnects", String.format(Locale.ROOT, "%,d; all errors: %s", unexpected, result.errors()));
            line("refused at admission", String.format(Locale.ROOT, "%,d by the workers over the run (a worker at its limit"
                    + " answers error: server busy, which the load counts as %s)", holding.refusedAtAdmission(), ErrorKind.SERVER_REFUSED));
            line("heartbeats", String.format(Locale.ROOT, "%,d sent, %,d answered, %,d failed", result.sent(),
                    result.answered(), result.failed()));
            line("heartbeat RTT", String.format(Locale.ROOT, "p50 %s  p99 %s  p99.9 %s  max %s  (the whole run)",
                    ms(result.latency().percentile(50)), ms(result.latency().percentile(99)),
                    ms(result.latency().percentile(99.9)), ms(result.latency().max())));
            LatencyHistogram steady = roundTripsWithin(result.steps(), LOAD_STEP, holding.steadyFrom(), holding.steadyTo());
            line("heartbeat RTT while holding", steady.count() == 0
                    ? "not measured: no whole " + LOAD_STEP.toSeconds() + " s step between the ramp and the heap census"
                    : String.format(Locale.ROOT, "p50 %s  p99 %s  p99.9 %s  max %s  (%,d heartbeats from %.0f s to %.0f s of the run: after the ramp, before the heap census)",
                    ms(steady.percentile(50)), ms(steady.percentile(99)), ms(steady.percentile(99.9)), ms(steady.max()),
                    steady.count(), runSeconds(ceilToStep(holding.steadyFrom())), runSeconds(floorToStep(holding.steadyTo()))));
            // Divided by the connections the census found: on a saturated machine the census of 59
            // workers can take minutes, and connections may come and go meanwhile.
            long counted = holding.census() == null ? 0 : holding.census().instancesOf(settings.server().perConnectionClass);
            line("server heap per connection", holding.census() == null || counted == 0 ? NOT_MEASURED : String.format(Locale.ROOT,
                    "%,.0f B (live heap after a full GC in every worker, minus the empty workers' heap measured on %d of"
                            + " them, over the %,d connections in it)",
                    (holding.census().totalBytes() - baseline.totalBytes()) / (double) counted,
                    Math.min(BASELINE_SAMPLE, workers), counted));
            line("server RSS", String.format(Locale.ROOT, "%.2f GiB in all (%.2f GiB before the load)%s",
                    holding.rssBytes() / GIB, rssBefore / GIB,
                    n == 0 ? "" : String.format(Locale.ROOT, ", %,.0f B per connection", (holding.rssBytes() - rssBefore) / (double) n)));
            line("kernel memory", String.format(Locale.ROOT, "slab +%.2f GiB%s", (holding.slabBytes() - slabBefore) / GIB,
                    n == 0 ? "" : String.format(Locale.ROOT, ": %,.0f B per socket, %,.0f B per connection with both ends on this machine",
                            (holding.slabBytes() - slabBefore) / (2.0 * n), (holding.slabBytes() - slabBefore) / (double) n)));
            line("server CPU while holding", holding.windowSeconds() == 0 ? NOT_MEASURED : String.format(Locale.ROOT, "%.2f cores over %.0f s (%.0f%% of the machine), %s",
                    holding.serverCores(), holding.windowSeconds(),
                    100 * holding.serverCores() / Runtime.getRuntime().availableProcessors(),
                    holding.heartbeatsInWindow() == 0 ? "no heartbeat fell in that window (hold longer than the heartbeat interval)"
                            : String.format(Locale.ROOT, "%,.1f us per heartbeat answered",
                            holding.serverCores() * holding.windowSeconds() * 1e6 / holding.heartbeatsInWindow()))
                    + lateAnswers(holding));
            line("machine CPU while holding", holding.machineInWindow() == null ? NOT_MEASURED : machineCpu(holding));
            line("CPU outside the run", holding.outsideInWindow() == null ? NOT_MEASURED : outsideCpu(holding));
            line("wake-ups while holding", wakeUps(holding, stepsWithin(result.steps(), LOAD_STEP,
                    holding.steadyFrom(), holding.steadyTo()), workers, loadProcesses));
            if (settings.busy() > 0 && holding.busyEcho() == null) {
                line("busy echo alongside", NOT_MEASURED);
            } else if (holding.busyEcho() != null) {
                LoadReport echo = holding.busyEcho();
                line("busy echo alongside", String.format(Locale.ROOT, "%,d connections: %,.0f requests/s, p50 %s, p99 %s, errors %d",
                        settings.busy(), echo.requestsPerSecond(), ms(echo.latency().percentile(50)),
                        ms(echo.latency().percentile(99)), echo.totalErrors()));
            }
            line("kernel settings changed", sysctls.changes().isEmpty() ? "none" : sysctls.changes() + " (restored)");
            line("graceful stop", String.format(Locale.ROOT, "%,d open at the signal, %,d force-closed, %d ms",
                    drained.openAtStart(), drained.forceClosed(), drained.took().toMillis()));
            if (holding.census() != null) {
                report.append("\nwhere the server heap goes, per connection (largest classes):\n");
                heapBreakdown(holding.census(), baseline, counted).forEach(row -> report.append("  ").append(row).append('\n'));
            }

            System.out.println();
            System.out.print(report);
            Files.createDirectories(settings.results());
            Files.writeString(settings.results().resolve("c1m-report.txt"), report);
            List<String> csv = new ArrayList<>(List.of(Sample.CSV_HEADER));
            timeline.forEach(s -> csv.add(s.csv()));
            Files.write(settings.results().resolve("c1m-timeline.csv"), csv);
            Files.writeString(settings.results().resolve("c1m-timeline.svg"), chart());
            Files.write(settings.results().resolve("c1m-steps.csv"), result.stepRows(LOAD_STEP));
            System.out.println("\nwritten: " + settings.results().toAbsolutePath()
                    + "/{c1m-report.txt, c1m-timeline.csv, c1m-timeline.svg, c1m-steps.csv}");
        }

        /**
         * The window's heartbeats and wake-ups are the differences of two scrapes of the summed
         * metrics; a worker that answered one of them late is summed with its previous answer
         * ({@link WorkerSupervisor#scrapeSum()}), so the window's counts are off by what that worker
         * did between its two answers: fewer if it was late to the closing scrape, more if to the
         * opening one.
         */
        private static String lateAnswers(Holding holding) {
            return holding.lateAnswersInWindow() == 0 ? "" : String.format(Locale.ROOT,
                    "; %d worker answer(s) came late to the window's two scrapes and were counted as they"
                            + " stood at the worker's previous answer, so the counts per heartbeat are approximate",
                    holding.lateAnswersInWindow());
        }

        /**
         * How many events one wake-up handled on each side: the server's ready keys per reactor turn
         * in the CPU window, the load's replies per turn in the steady steps (merged steps last as
         * long as the longest process's, so their sum is the steady time). A wake-up costs about
         * the same whether it brings one event or fifty; the batch windows exist to raise these.
         */
        private String wakeUps(Holding holding, List<LoadReport.Step> steady, int workers, int loadProcesses) {
            long loadWakeUps = steady.stream().mapToLong(LoadReport.Step::wakeUps).sum();
            long replies = steady.stream().mapToLong(LoadReport.Step::answered).sum();
            double steadySeconds = steady.stream().mapToLong(LoadReport.Step::nanos).sum() / 1e9;
            String serverPart = holding.serverWakeUpsInWindow() <= 0 ? "server not measured"
                    : String.format(Locale.ROOT, "server %.1f ready keys per wake-up (%,.0f wake-ups/s over %d workers)",
                    holding.serverKeysInWindow() / (double) holding.serverWakeUpsInWindow(),
                    holding.serverWakeUpsInWindow() / holding.windowSeconds(), workers);
            String loadPart = loadWakeUps == 0 ? "load not measured"
                    : String.format(Locale.ROOT, "load %.1f replies per wake-up (%,.0f wake-ups/s over %d processes)",
                    replies / (double) loadWakeUps, loadWakeUps / steadySeconds, loadProcesses);
            return serverPart + "; " + loadPart;
        }

        /**
         * How evenly SO_REUSEPORT spread the connections, against what a uniformly random choice
         * of worker gives: a binomial count, whose standard deviation sizes the workers' headroom
         * ({@link C1mServerMain#workersFor}).
         */
        private String perWorkerSpread(Holding holding, int workers) {
            if (workers == 1) {
                return "one worker";
            }
            double mean = holding.serverConnections() / (double) workers;
            return String.format(Locale.ROOT, "%,d to %,d over %d workers, mean %,.0f (a uniformly random choice of"
                            + " worker: a standard deviation of %,.0f); each admits up to %,d", holding.fewestInAWorker(),
                    holding.mostInAWorker(), workers, mean, ReusePortSizing.standardDeviation(holding.serverConnections(), workers),
                    C1mServerMain.perWorker(settings.descriptorLimit()));
        }

        /**
         * Everything the machine did in the server's CPU window: both sides of every heartbeat,
         * the kernel's softirq work that no process is charged with, and this run's own sampling.
         */
        private String machineCpu(Holding holding) {
            KernelMeter.CpuTicks cpu = holding.machineInWindow();
            double seconds = holding.windowSeconds() * KernelMeter.CpuTicks.TICKS_PER_SECOND;
            double busyCores = cpu.busy() / seconds;
            return String.format(Locale.ROOT, "%.2f of %d cores busy (%.2f of them softirq), %s; steal %.2f cores",
                    busyCores, Runtime.getRuntime().availableProcessors(), cpu.softirq() / seconds,
                    holding.heartbeatsInWindow() == 0 ? "no heartbeat in the window" : String.format(Locale.ROOT,
                            "%,.1f us per heartbeat for both sides and the kernel",
                            busyCores * holding.windowSeconds() * 1e6 / holding.heartbeatsInWindow()),
                    cpu.steal() / seconds);
        }

        /**
         * What the machine spent on processes that are not this run's, in the same window: on a
         * shared or managed machine an agent may take a share that grows with the run (see
         * {@link CpuByProcess}). The run's own figure leaves out other user processes only; kernel
         * threads stay in it, since ksoftirqd and the kworkers carry the run's packets.
         */
        private String outsideCpu(Holding holding) {
            CpuByProcess.Outside outside = holding.outsideInWindow();
            double seconds = holding.windowSeconds() * KernelMeter.CpuTicks.TICKS_PER_SECOND;
            double runCores = (holding.machineInWindow().busy() - outside.userTicks()) / seconds;
            String largest = outside.largest().stream()
                    .map(e -> String.format(Locale.ROOT, "%s %.2f", e.name(), e.ticks() / seconds))
                    .collect(Collectors.joining(", "));
            return String.format(Locale.ROOT, "%.2f cores in other processes, %.2f in kernel threads (largest: %s); the run itself %.2f cores%s",
                    outside.userTicks() / seconds, outside.kernelThreadTicks() / seconds, largest, runCores,
                    holding.heartbeatsInWindow() == 0 ? "" : String.format(Locale.ROOT, ", %,.1f us per heartbeat",
                            runCores * holding.windowSeconds() * 1e6 / holding.heartbeatsInWindow()));
        }

        private List<String> heapBreakdown(HeapCensus holding, HeapCensus baseline, long n) {
            List<String> rows = new ArrayList<>();
            for (Map.Entry<String, Long> entry : holding.bytesByClass().entrySet()) {
                double perConnection = (entry.getValue() - baseline.bytesByClass().getOrDefault(entry.getKey(), 0L)) / (double) n;
                if (perConnection >= 1 && rows.size() < 20) {
                    rows.add(String.format(Locale.ROOT, "%7.1f B  %s", perConnection, entry.getKey()));
                }
            }
            return rows;
        }

        private String chart() {
            List<Double> seconds = timeline.stream().map(Sample::seconds).toList();
            return TimelineChart.svg(String.format(Locale.ROOT, "C1M run: %,d connections", settings.connections()), seconds, List.of(
                    new TimelineChart.Series("connections held by the server", "", 1,
                            timeline.stream().map(s -> (double) s.serverConnections()).toList(), "#457b9d"),
                    new TimelineChart.Series("server RSS, all workers", "GiB", GIB,
                            timeline.stream().map(s -> (double) s.serverRssBytes()).toList(), "#e76f51"),
                    new TimelineChart.Series("kernel slab memory (sockets of both ends)", "GiB", GIB,
                            timeline.stream().map(s -> (double) s.slabBytes()).toList(), "#2a9d8f")));
        }

        private void line(String what, String value) {
            report.append(String.format(Locale.ROOT, "%-30s %s%n", what, value));
        }
    }

    private static final double GIB = 1024.0 * 1024 * 1024;
    private static final String NOT_MEASURED = "not measured: the hold ended first (hold longer)";

    private static long metric(String exposition, String series) {
        return (long) MetricsSum.valueOf(exposition, series).orElse(0);
    }

    private static String ms(Duration duration) {
        return String.format(Locale.ROOT, "%.2f ms", duration.toNanos() / 1e6);
    }

    private static long memTotalBytes() {
        try {
            return Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal:"))
                    .mapToLong(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024).findFirst().orElse(0);
        } catch (IOException e) {
            return 0;
        }
    }
}
