package dev.c1m.concurrency;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.c1m.echo.EchoProtocol;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The JDK's built-in HTTP server with one virtual thread per exchange: Java's closest analogue
 * of Go's {@code net/http}, where every connection gets its own goroutine. The handler code is
 * plain blocking code; the JDK's poller parks and wakes the virtual threads.
 *
 * <p>One endpoint, {@code GET /echo?line=<text>}: answers {@code 200} with {@code echo: <text>}
 * and the header {@value #THREAD_HEADER} saying whether a virtual thread served it; a request
 * without {@code line}, or with another method, gets {@code 400} or {@code 405}.
 *
 * <p>Threads: the HTTP server's own dispatcher thread accepts and parses; each exchange runs on
 * a new virtual thread. Not handled: TLS, request-body limits, timeouts (the JDK server has
 * system properties for some: {@code sun.net.httpserver.maxReqTime}, {@code maxIdleConnections}).
 */
public final class VirtualThreadHttpServer implements AutoCloseable {

    /** Response header naming the kind of thread that served the request. */
    public static final String THREAD_HEADER = "X-Served-By";

    private final HttpServer server;
    private final ExecutorService executor;

    private VirtualThreadHttpServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Binds {@code address} (port 0 for any free port) and starts serving. */
    public static VirtualThreadHttpServer start(InetSocketAddress address, int backlog) throws IOException {
        HttpServer server = HttpServer.create(address, backlog);
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        server.createContext("/echo", VirtualThreadHttpServer::echo);
        server.start();
        return new VirtualThreadHttpServer(server, executor);
    }

    public InetSocketAddress localAddress() {
        return server.getAddress();
    }

    private static void echo(HttpExchange exchange) throws IOException {
        try (exchange) {
            exchange.getResponseHeaders().add(THREAD_HEADER,
                    Thread.currentThread().isVirtual() ? "virtual-thread" : "platform-thread");
            if (!exchange.getRequestMethod().equals("GET")) {
                respond(exchange, 405, "error: use GET");
                return;
            }
            String line = queryParameter(exchange.getRequestURI(), "line");
            if (line == null) {
                respond(exchange, 400, "error: missing query parameter 'line'");
                return;
            }
            respond(exchange, 200, EchoProtocol.reply(line));
        }
    }

    private static String queryParameter(URI uri, String name) {
        String query = uri.getRawQuery();
        if (query == null) {
            return null;
        }
        for (String pair : query.split("&")) {
            int equals = pair.indexOf('=');
            String key = equals < 0 ? pair : pair.substring(0, equals);
            if (URLDecoder.decode(key, StandardCharsets.UTF_8).equals(name)) {
                return equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = (body + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Stops accepting, gives open exchanges up to a second, and waits for their threads. */
    @Override
    public void close() {
        server.stop(1);
        executor.close();
    }
}
