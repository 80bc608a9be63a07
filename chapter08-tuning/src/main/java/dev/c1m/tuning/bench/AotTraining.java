package dev.c1m.tuning.bench;

import dev.c1m.echo.bench.ChildJvm;
import dev.c1m.tuning.AotCache;
import dev.c1m.tuning.demo.ServerNodeMain;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The JVM options of a C1M run's two kinds of child JVM, worker and load process, with an
 * {@link AotCache} for each where the JDK and classpath allow one, and the training of the caches
 * that are missing: one worker and one load process, with the run's own mains and options and
 * the training option, exchange a few hundred connections and heartbeats for a few seconds, and
 * each writes its cache as it exits. A later run with the same JDK, options and jars reuses
 * them. What the caches save is start-up: the classes each of the run's JVMs would otherwise
 * read, parse and link for itself (measured in chapter 8's Results, part 2).
 *
 * <p>Main thread only; the training runs before the run's clock starts, and says how long it took.
 *
 * @param workerOptions the worker JVMs' options, the cache's included when there is one
 * @param loadOptions   the load JVMs' options, likewise
 * @param summary       one line for the report: what was used, or why nothing was
 */
record AotTraining(List<String> workerOptions, List<String> loadOptions, String summary) {

    private static final Duration TRAINING_TIMEOUT = Duration.ofSeconds(120);
    private static final int TRAINING_CONNECTIONS = 300;

    /** The plain options and a summary that says why no cache is used. */
    static AotTraining without(List<String> workerOptions, List<String> loadOptions, String reason) {
        return new AotTraining(workerOptions, loadOptions, "no AOT cache: " + reason);
    }

    /**
     * The options of both kinds of JVM: with their caches where this JDK and classpath allow them,
     * trained first if missing; the plain options, and the reason, where not or where the training
     * fails (a run never depends on a cache).
     *
     * @param directory  where the caches live (next to the jars, so that a clean build removes them)
     * @param workerMain the workers' main class ({@code ServerNodeMain} or the bare server)
     */
    static AotTraining prepare(Path directory, Class<?> workerMain, List<String> workerOptions, List<String> loadOptions)
            throws InterruptedException {
        var unavailable = AotCache.unavailableBecause(Runtime.version().feature(), System.getProperty("java.class.path"));
        if (unavailable.isPresent()) {
            return without(workerOptions, loadOptions, unavailable.get());
        }
        AotCache worker = AotCache.forThisClassPath(directory, "worker-" + workerMain.getSimpleName(), workerOptions);
        AotCache load = AotCache.forThisClassPath(directory, "load", loadOptions);
        String how = "reused";
        if (!worker.trained() || !load.trained()) {
            long start = System.nanoTime();
            System.out.println("training the AOT caches of the worker and load JVMs (once per build) ...");
            try {
                Files.createDirectories(directory);
                train(worker, load, workerMain, workerOptions, loadOptions);
            } catch (IOException | RuntimeException e) {
                return without(workerOptions, loadOptions, "the training failed (" + e.getMessage() + ")");
            }
            if (!worker.trained() || !load.trained()) {
                return without(workerOptions, loadOptions, "the training wrote no cache");
            }
            how = String.format(Locale.ROOT, "trained in %.1f s before the run", (System.nanoTime() - start) / 1e9);
        }
        return new AotTraining(concat(workerOptions, worker.useOptions()), concat(loadOptions, load.useOptions()),
                "AOT caches " + worker.file().getFileName() + " and " + load.file().getFileName() + " (" + how + ")");
    }

    private static void train(AotCache worker, AotCache load, Class<?> workerMain, List<String> workerOptions,
                              List<String> loadOptions) throws IOException, InterruptedException {
        try (ChildJvm server = ChildJvm.start(List.of(), concat(workerOptions, trainingOrUse(worker)), workerMain,
                "--host", "127.0.0.1", "--port", "0", "--metrics-port", "0", "--exit-with-parent")) {
            String port = server.awaitLine("listening on \\S+:(\\d+)", TRAINING_TIMEOUT).group(1);
            URI metrics = URI.create(server.awaitLine("metrics on (\\S+)", TRAINING_TIMEOUT).group(1));
            try (ChildJvm client = ChildJvm.start(List.of(), concat(loadOptions, trainingOrUse(load)), LoadGenMain.class,
                    "hold", "--port", port, "--connections", Integer.toString(TRAINING_CONNECTIONS),
                    "--sources", "none", "--heartbeat", "200ms", "--heartbeat-reply", "pong", "--hold", "3s",
                    "--processes", "1", "--quiet")) {
                client.awaitExit(TRAINING_TIMEOUT);
            }
            askLikeTheRun(metrics);
            server.terminate();
            server.awaitExit(TRAINING_TIMEOUT);
        }
    }

    /** A cache already trained is used, not trained again, while the other one is trained. */
    private static List<String> trainingOrUse(AotCache cache) {
        return cache.trained() ? cache.useOptions() : cache.trainingOptions();
    }

    /**
     * What the run asks every worker, so that the classes that answer are in its cache too: its
     * metrics, and its heap histogram, which the run takes of all the workers before the load
     * starts, through the platform MBean server (hundreds of classes; without them in the cache
     * that census of 60 new workers took 15 s of a run's start).
     */
    private static void askLikeTheRun(URI metrics) throws IOException, InterruptedException {
        try (HttpClient http = HttpClient.newHttpClient()) {
            for (URI uri : List.of(metrics, metrics.resolve(ServerNodeMain.HEAP_HISTOGRAM_PATH))) {
                http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(),
                        HttpResponse.BodyHandlers.discarding());
            }
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return List.copyOf(all);
    }
}
