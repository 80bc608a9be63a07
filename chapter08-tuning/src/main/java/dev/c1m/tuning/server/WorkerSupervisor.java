package dev.c1m.tuning.server;

import dev.c1m.echo.AcceptBackoff;
import dev.c1m.echo.bench.ChildJvm;
import dev.c1m.echo.Uninterruptibles;
import dev.c1m.lifecycle.ShutdownReport;
import dev.c1m.tuning.demo.ServerNodeMain;

import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.LongSummaryStatistics;
import java.util.OptionalDouble;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;

/**
 * Runs K worker processes of {@link ServerNodeMain} that share one listening port with
 * {@code SO_REUSEPORT}, restarts a worker that dies, sums their metrics, and stops them all
 * gracefully.
 *
 * <p><b>Why processes.</b> Every connection costs its process a file descriptor, and a process
 * may not hold more than its hard limit ({@code ulimit -Hn}; 20,000 on the course's test machine,
 * where it cannot be raised). One process is the better design wherever the limit allows it
 * (raise it to 1,100,000 and run one worker); where it does not, the kernel's {@code SO_REUSEPORT}
 * group spreads incoming connections over every process listening on the port, by a hash of
 * the connection's addresses, with no hand-off between processes. The spread is even only on
 * average: each worker's count varies like a uniformly random choice's, so size the worker count
 * with room for it ({@code C1mServerMain.workersFor}), and start the load only once every worker
 * listens (a listener that joins later gets a share of the connections made after it).
 *
 * <p><b>Failure.</b> A worker that exits while the supervisor is not stopping is started again on
 * the same port; its clients saw their connections reset and reconnect, and the kernel hashes the
 * new connections over the workers then listening. Each worker runs with
 * {@code --exit-with-parent}, so it drains and exits if the supervisor itself is killed.
 *
 * <p>Threads: a daemon thread {@code worker-watch} restarts dead workers; every public method
 * may be called from any thread. {@link #close()} kills whatever is still running.
 */
public final class WorkerSupervisor implements AutoCloseable {

    /**
     * The JVM options of a worker holding its share of a million connections, after
     * {@code -Xmx<heap>}: a small serial-GC heap (a worker's live data is tens of MB), small thread
     * stacks, compact object headers (8 bytes less on each of the ~20 objects per connection), and
     * C1 only ({@code -XX:TieredStopAtLevel=1}). C2 made the steady state a little cheaper per
     * heartbeat, but a hundred JVMs compiling with C2 at once on two cores starved the ramp: in one
     * C1M run with C2 the connect rate fell from about 10,000/s to 6,000-8,000/s, the load average
     * passed 140, and heartbeats timed out by the hundred thousand (see the chapter's Results).
     * And no monitor-deflation check four times a second ({@code -XX:AsyncDeflationInterval=0},
     * a diagnostic flag; the 60 s guaranteed check remains): these servers inflate almost no
     * monitors, and in a C1M run the 110 JVMs' checks cost 0.058 cores, 423 wake-ups a second
     * (40 idle JVMs: 0.015 cores with the check, none without).
     */
    public static List<String> workerJvmOptions(String maxHeap) {
        return List.of("-Xmx" + maxHeap, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss256k",
                "-XX:+UseCompactObjectHeaders", "-XX:+UnlockDiagnosticVMOptions", "-XX:AsyncDeflationInterval=0");
    }

    private static final System.Logger LOG = System.getLogger(WorkerSupervisor.class.getName());
    private static final Duration STARTUP = Duration.ofSeconds(60);
    private static final long WATCH_INTERVAL_MILLIS = 100;
    private static final int SCRAPE_TIMEOUT_MILLIS = 3_000;
    private static final int CENSUS_PARALLELISM = 8;
    private static final int CENSUS_TIMEOUT_MILLIS = 60_000;

    /**
     * One worker slot: the process in it now (replaced on restart, under the slot's lock), its
     * metrics address, and what the slot has reported.
     */
    private static final class Worker {
        final int index;
        volatile ChildJvm jvm;
        volatile URI metrics;
        volatile Reported reported = new Reported("", "");

        Worker(int index) {
            this.index = index;
        }
    }

    private final Class<?> workerMain;
    private final String host;
    private final List<String> jvmOptions;
    private final List<String> nodeArgs;
    private final List<Worker> workers = new ArrayList<>();
    private final AtomicInteger restarts = new AtomicInteger();
    private final Thread watcher = Thread.ofPlatform().daemon().name("worker-watch").unstarted(this::watch);
    private volatile int port;
    private volatile boolean stopping;

    private WorkerSupervisor(Class<?> workerMain, String host, List<String> jvmOptions, List<String> nodeArgs) {
        this.workerMain = workerMain;
        this.host = host;
        this.jvmOptions = List.copyOf(jvmOptions);
        this.nodeArgs = List.copyOf(nodeArgs);
    }

    /**
     * Starts {@code count} workers listening on {@code host:port} (port 0: the first worker
     * picks one and the others join it) and returns once all of them listen.
     *
     * @param jvmOptions options for each worker JVM, such as {@code -Xmx64m}
     * @param nodeArgs   {@link ServerNodeMain} options for each worker, except the address,
     *                   the metrics port and {@code --exit-with-parent}, which the supervisor sets
     */
    public static WorkerSupervisor start(int count, String host, int port, List<String> jvmOptions,
                                         List<String> nodeArgs) throws IOException, InterruptedException {
        return start(ServerNodeMain.class, count, host, port, jvmOptions, nodeArgs);
    }

    /**
     * {@link #start(int, String, int, List, List)} with workers of another main class that keeps
     * {@link ServerNodeMain}'s contract: the same address, metrics and exit options, the same
     * {@code listening on}, {@code metrics on} and {@code drained:} lines, the same metric names
     * and heap histogram path (chapter 8's bare benchmark server is one).
     */
    public static WorkerSupervisor start(Class<?> workerMain, int count, String host, int port, List<String> jvmOptions,
                                         List<String> nodeArgs) throws IOException, InterruptedException {
        if (count < 1) {
            throw new IllegalArgumentException("need at least one worker, got " + count);
        }
        WorkerSupervisor supervisor = new WorkerSupervisor(workerMain, host, jvmOptions, nodeArgs);
        try {
            supervisor.port = port;
            for (int i = 0; i < count; i++) {
                supervisor.workers.add(new Worker(i));
            }
            supervisor.launch(supervisor.workers.getFirst()); // binds first: with port 0, it picks the port
            for (Worker worker : supervisor.workers.subList(1, count)) {
                worker.jvm = supervisor.spawn();
            }
            for (Worker worker : supervisor.workers.subList(1, count)) {
                supervisor.awaitListening(worker);
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            supervisor.close();
            throw e;
        }
        supervisor.watcher.start();
        return supervisor;
    }

    /** The port every worker listens on. */
    public int port() {
        return port;
    }

    /** The process ids of the current workers, in slot order. */
    public List<Long> workerPids() {
        return workers.stream().map(w -> w.jvm.pid()).toList();
    }

    /** Each current worker's own metrics endpoint, in slot order. */
    public List<URI> workerMetrics() {
        return workers.stream().map(w -> w.metrics).toList();
    }

    /** Workers started again after they died. */
    public int restarts() {
        return restarts.get();
    }

    /**
     * The workers' metrics added up ({@link MetricsSum}), plus the supervisor's own: the worker and
     * restart counts, and the fewest and most connections one worker holds. {@code SO_REUSEPORT}
     * spreads connections by a hash, blind to how many each worker has, so the fullest worker
     * reaches its {@code --max-connections} first, while the sum still looks far from full. All
     * workers are asked at once, each on a virtual thread with a plain blocking request and its own
     * timeouts, so a busy or dying worker cannot stall the others'. One that has not answered
     * within 3 s is logged and counted in {@code c1m_workers_stale}, and the sum takes its last
     * answer instead: leaving it out would make every counter of the sum go backwards for one
     * scrape (a rate over it negative) and every gauge drop, which on a saturated machine, where
     * dozens of workers answer late at once, halved the connection count one scrape in a C1M run.
     */
    public String scrapeSum() {
        List<String> expositions = new ArrayList<>();
        int stale = 0;
        try (ExecutorService scrapes = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Answer>> answers = workers.stream().map(w -> scrapes.submit(() -> scrape(w))).toList();
            for (Future<Answer> answer : answers) {
                expositions.add(answer.get().exposition());
                stale += answer.get().fresh() ? 0 : 1;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new IllegalStateException("a scrape failed unexpectedly", e.getCause());
        }
        LongSummaryStatistics perWorker = connectionsPerWorker(expositions);
        expositions.add("""
                # HELP c1m_workers Worker processes supervised.
                # TYPE c1m_workers gauge
                c1m_workers %d
                # HELP c1m_workers_stale Workers that did not answer this scrape in time; the sum holds their last answer.
                # TYPE c1m_workers_stale gauge
                c1m_workers_stale %d
                # HELP c1m_worker_restarts_total Workers started again after they died.
                # TYPE c1m_worker_restarts_total counter
                c1m_worker_restarts_total %d
                """.formatted(workers.size(), stale, restarts.get()));
        if (perWorker.getCount() > 0) {
            expositions.add("""
                    # HELP c1m_worker_connections_min Connections open in the worker holding the fewest.
                    # TYPE c1m_worker_connections_min gauge
                    c1m_worker_connections_min %d
                    # HELP c1m_worker_connections_max Connections open in the worker holding the most.
                    # TYPE c1m_worker_connections_max gauge
                    c1m_worker_connections_max %d
                    """.formatted(perWorker.getMin(), perWorker.getMax()));
        }
        return MetricsSum.of(expositions);
    }

    /** {@code c1m_connections} of each worker, as this scrape sums them. */
    private static LongSummaryStatistics connectionsPerWorker(List<String> expositions) {
        return expositions.stream().map(text -> MetricsSum.valueOf(text, "c1m_connections"))
                .filter(OptionalDouble::isPresent).mapToLong(value -> (long) value.getAsDouble()).summaryStatistics();
    }

    /**
     * Every worker's class histogram after a full GC ({@code GC.class_histogram}'s text, in worker
     * order), asked over its metrics endpoint, {@value #CENSUS_PARALLELISM} workers at a time. One
     * at a time paused only one worker at once, but on a machine saturated by a million 30 s
     * heartbeats each worker took about 6 s to answer (most likely its HTTP thread starved among
     * 110 busy processes) and the census of 59 took 340 s, past the end of the hold; all at once would
     * pause every worker together. A worker that does not answer within 60 s fails the census.
     */
    public List<String> heapHistograms() throws IOException {
        return heapHistograms(workers.size());
    }

    /** The class histograms of the first {@code count} workers, as {@link #heapHistograms()}. */
    public List<String> heapHistograms(int count) throws IOException {
        try (ExecutorService askers = Executors.newFixedThreadPool(CENSUS_PARALLELISM,
                Thread.ofPlatform().name("heap-census-", 0).daemon().factory())) {
            List<Future<String>> answers = new ArrayList<>();
            for (Worker worker : workers.subList(0, count)) {
                answers.add(askers.submit(() -> heapHistogram(worker)));
            }
            List<String> histograms = new ArrayList<>();
            for (Future<String> answer : answers) {
                histograms.add(answer.get());
            }
            return histograms;
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while taking the heap census", e);
        }
    }

    private static String heapHistogram(Worker worker) throws IOException {
        return get(worker.metrics.resolve(ServerNodeMain.HEAP_HISTOGRAM_PATH), CENSUS_TIMEOUT_MILLIS);
    }

    /**
     * What one slot has reported: the last exposition of the process in it now ("" until it
     * answers one), and the counters of the processes it had before, added up. A restarted worker
     * counts from zero; without the counters of its predecessors every counter of the sum would
     * go backwards at a restart, which a Prometheus {@code rate()} reads as a reset and counts the
     * whole sum again.
     */
    private record Reported(String lastAnswer, String retiredCounters) {

        /** The slot's contribution to a sum: two expositions, which {@link MetricsSum} adds line by line. */
        String exposition() {
            return lastAnswer + "\n" + retiredCounters;
        }

        /** The process in the slot has died: its counters join the retired ones, as it last reported them. */
        Reported retire() {
            return new Reported("", MetricsSum.of(List.of(retiredCounters, MetricsSum.countersOf(lastAnswer))));
        }
    }

    /** What one worker contributes to a sum: its exposition, or its last one if it was late. */
    private record Answer(String exposition, boolean fresh) {
    }

    private static Answer scrape(Worker worker) {
        ChildJvm asked = worker.jvm;
        try {
            String exposition = get(worker.metrics, SCRAPE_TIMEOUT_MILLIS);
            synchronized (worker) {
                if (worker.jvm == asked) { // not restarted meanwhile: the answer is the current process's
                    worker.reported = new Reported(exposition, worker.reported.retiredCounters());
                }
                return new Answer(worker.reported.exposition(), true);
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "worker {0} (pid {1}) did not answer its scrape, its last answer stands in: {2}",
                    worker.index, asked.pid(), e.toString());
            return new Answer(worker.reported.exposition(), false);
        }
    }

    /**
     * A plain blocking GET of a worker's endpoint, bounded by its own connect and read timeouts.
     * Reading the answer to its end returns the connection to the JDK's keep-alive cache, where
     * the next scrape finds it, for as long as the endpoint's {@code Keep-Alive} header says
     * ({@link dev.c1m.tuning.MetricsEndpoint}).
     */
    private static String get(URI uri, int readTimeoutMillis) throws IOException {
        HttpURLConnection request = (HttpURLConnection) uri.toURL().openConnection();
        request.setConnectTimeout(SCRAPE_TIMEOUT_MILLIS);
        request.setReadTimeout(readTimeoutMillis);
        try (InputStream body = request.getInputStream()) {
            return new String(body.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /**
     * Stops every worker gracefully (SIGTERM: each drains as {@link ServerNode#shutdown} does)
     * and waits for them, up to {@code grace} plus a margin each; returns their drain reports
     * added up. A worker that does not report its drain in time is killed and counted as one
     * force-closed connection (how many it still held, it did not say); one that reported but
     * does not exit is killed too, its report standing.
     */
    public ShutdownReport stop(Duration grace) throws InterruptedException {
        long start = System.nanoTime();
        stopping = true;
        watcher.interrupt();
        Uninterruptibles.join(watcher);
        workers.forEach(worker -> worker.jvm.terminate());
        int openAtStart = 0;
        int forceClosed = 0;
        for (Worker worker : workers) {
            Matcher drained;
            try {
                drained = worker.jvm.awaitLine(
                        "drained: (\\d+) connection\\(s\\) open at start, (\\d+) force-closed", grace.plusSeconds(10));
            } catch (IllegalStateException notDrained) {
                LOG.log(Level.WARNING, "worker {0} did not drain: {1}", worker.index, notDrained.getMessage());
                forceClosed++;
                worker.jvm.close();
                continue;
            }
            openAtStart += Integer.parseInt(drained.group(1));
            forceClosed += Integer.parseInt(drained.group(2));
            try {
                worker.jvm.awaitExit(Duration.ofSeconds(10));
            } catch (IllegalStateException stuck) {
                LOG.log(Level.WARNING, "worker {0} drained but did not exit: {1}", worker.index, stuck.getMessage());
                worker.jvm.close();
            }
        }
        return new ShutdownReport(openAtStart, forceClosed, Duration.ofNanos(System.nanoTime() - start));
    }

    /** Kills every worker still running. */
    @Override
    public void close() throws InterruptedException {
        stopping = true;
        watcher.interrupt();
        if (watcher.isAlive()) {
            Uninterruptibles.join(watcher);
        }
        for (Worker worker : workers) {
            if (worker.jvm != null) {
                worker.jvm.close();
            }
        }
    }

    /**
     * Restarts dead workers. A restart that fails (the new JVM exits or stays silent before it
     * listens: a port taken, a bad option, a saturated machine) is retried after a pause that
     * doubles up to a second (chapter 1's {@link AcceptBackoff}), not at once for ever.
     */
    private void watch() {
        AcceptBackoff afterFailedRestart = AcceptBackoff.standard();
        while (!stopping) {
            try {
                TimeUnit.MILLISECONDS.sleep(WATCH_INTERVAL_MILLIS);
                for (Worker worker : workers) {
                    if (!stopping && !worker.jvm.isAlive()) {
                        restart(worker);
                        afterFailedRestart.reset();
                    }
                }
            } catch (InterruptedException e) {
                return; // stopping
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.ERROR, "could not restart a worker; trying again", e);
                try {
                    afterFailedRestart.pauseAfterFailure();
                } catch (InterruptedException stop) {
                    return;
                }
            }
        }
    }

    private void restart(Worker worker) throws IOException, InterruptedException {
        LOG.log(Level.WARNING, "worker {0} (pid {1}) exited with status {2}; starting it again",
                worker.index, worker.jvm.pid(), worker.jvm.awaitExit(Duration.ZERO));
        launch(worker);
        restarts.incrementAndGet();
    }

    /** Starts the slot's process and waits until it listens; one that does not is killed, so that the watch starts another. */
    private void launch(Worker worker) throws IOException, InterruptedException {
        synchronized (worker) {
            worker.reported = worker.reported.retire(); // the new process counts from zero
            worker.jvm = spawn();
        }
        try {
            awaitListening(worker);
        } catch (RuntimeException | InterruptedException e) {
            worker.jvm.close();
            throw e;
        }
    }

    private ChildJvm spawn() throws IOException {
        List<String> args = new ArrayList<>(nodeArgs);
        args.addAll(List.of("--host", host, "--port", Integer.toString(port), "--metrics-port", "0", "--exit-with-parent"));
        return ChildJvm.start(List.of(), jvmOptions, workerMain, args.toArray(String[]::new));
    }

    private void awaitListening(Worker worker) throws InterruptedException {
        Matcher listening = worker.jvm.awaitLine("listening on \\S+:(\\d+)", STARTUP);
        port = Integer.parseInt(listening.group(1));
        worker.metrics = URI.create(worker.jvm.awaitLine("metrics on (\\S+)", STARTUP).group(1));
    }
}
