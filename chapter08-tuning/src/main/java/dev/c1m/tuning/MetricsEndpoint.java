package dev.c1m.tuning;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Serves a {@link MetricsRegistry} at {@code GET /metrics} in the Prometheus text format, on the
 * JDK's built-in {@code com.sun.net.httpserver.HttpServer}: the Java counterpart of importing
 * {@code net/http/pprof} and {@code expvar} in Go, with no dependency.
 *
 * <p>Threads: one daemon thread {@code metrics-http} serves scrapes (a scrape every few seconds
 * needs no more); {@link #close()} stops it and waits for it. Bind it to loopback or a management
 * network: it has no authentication. Only {@code GET} (and {@code HEAD}) are answered, anything
 * else gets 405.
 */
public final class MetricsEndpoint implements AutoCloseable {

    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    /**
     * How long a client may keep an idle connection for its next scrape, said in every answer.
     * The JDK's server closes connections idle for 30 s ({@code sun.net.httpserver.idleInterval});
     * a client that is told nothing may give up sooner: {@code HttpURLConnection} kept them too
     * briefly for scrapes 6 s apart, and reconnected each time. A scrape on a new connection
     * cost an idle worker 1.0-1.7 ms of CPU, on a kept-alive one 0.13-0.23 ms.
     */
    static final String KEEP_ALIVE = "timeout=20";

    private final HttpServer server;
    private final ExecutorService executor;
    private final List<Thread> threads;

    private MetricsEndpoint(HttpServer server, ExecutorService executor, List<Thread> threads) {
        this.server = server;
        this.executor = executor;
        this.threads = threads;
    }

    /** Binds {@code address} (port 0 for any free port) and starts serving {@code registry}. */
    public static MetricsEndpoint start(InetSocketAddress address, MetricsRegistry registry) throws IOException {
        return serving(address, registry::scrape);
    }

    /**
     * Binds {@code address} and serves whatever text {@code exposition} produces at each scrape
     * (already in the Prometheus text format): for metrics gathered elsewhere, such as the sum of
     * several processes' endpoints.
     */
    public static MetricsEndpoint serving(InetSocketAddress address, Supplier<String> exposition) throws IOException {
        HttpServer server = HttpServer.create(address, 16);
        List<Thread> threads = new CopyOnWriteArrayList<>();
        ThreadFactory named = Thread.ofPlatform().name("metrics-http").daemon().factory();
        ExecutorService executor = Executors.newSingleThreadExecutor(task -> {
            Thread thread = named.newThread(task);
            threads.add(thread);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext("/metrics", exchange -> serve(exchange, exposition));
        server.start();
        return new MetricsEndpoint(server, executor, threads);
    }

    private static void serve(HttpExchange exchange, Supplier<String> exposition) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] body = exposition.get().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
            exchange.getResponseHeaders().set("Connection", "keep-alive"); // without it, HttpURLConnection
            exchange.getResponseHeaders().set("Keep-Alive", KEEP_ALIVE);     // ignores Keep-Alive
            if (method.equals("HEAD")) {
                exchange.sendResponseHeaders(200, -1);
                return;
            }
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /**
     * Also serves {@code text} at {@code path} (same rules: GET and HEAD, plain text): for a
     * diagnostic a supervisor wants from its workers without starting a tool per process, such
     * as {@link HeapHistogram#ofThisJvm}.
     */
    public void serve(String path, Supplier<String> text) {
        server.createContext(path, exchange -> serve(exchange, text));
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** {@code http://host:port/metrics}. */
    public URI uri() {
        InetSocketAddress a = address();
        return URI.create("http://" + a.getAddress().getHostAddress() + ":" + a.getPort() + "/metrics");
    }

    @Override
    public void close() throws InterruptedException {
        server.stop(0);
        executor.shutdown();
        if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
            executor.shutdownNow();
        }
        // a terminated executor's thread may still be on its way out: wait for it to end
        for (Thread thread : threads) {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        }
    }
}
