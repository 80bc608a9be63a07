package dev.c1m.concurrency.demo;

import dev.c1m.concurrency.Backpressure;
import dev.c1m.concurrency.ExecutionModel;
import dev.c1m.concurrency.WorkerPool;
import dev.c1m.concurrency.WorkerPoolEchoHandler;
import dev.c1m.echo.AcceptBackoff;
import dev.c1m.echo.ConnectionHandler;
import dev.c1m.echo.EchoProtocol;
import dev.c1m.echo.LineEchoHandler;
import dev.c1m.echo.TcpServer;
import dev.c1m.echo.demo.ConsoleLog;
import dev.c1m.echo.demo.Options;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * Chapter 1's echo server with the execution model chosen on the command line, and optionally
 * a worker pool behind the connections. Runs until Ctrl-C or SIGTERM.
 *
 * <pre>
 * java -cp ... dev.c1m.concurrency.demo.ConcurrencyServerMain --model thread|pool|virtual
 *      [--port 9000] [--backlog 4096] [--pool-threads 200] [--pool-queue 1000]
 *      [--workers 4 --max-workers 8 --work-queue 64 --backpressure block|busy|caller --work-micros 100]
 * </pre>
 * Prints {@code listening on <host>:<port> (<model>...)} once it accepts connections.
 */
public final class ConcurrencyServerMain {

    private static final String USAGE = """
            usage: ConcurrencyServerMain --model thread|pool|virtual [options]
              --model         thread: a platform thread per connection; pool: a fixed pool;
                              virtual: a virtual thread per connection (default virtual)
              --host          address to bind (default 127.0.0.1)
              --port          port, 0 for any free port (default 9000)
              --backlog       accept backlog (default 4096; the kernel caps it at net.core.somaxconn)
              --pool-threads  threads of the fixed pool (default 200)
              --pool-queue    accepted connections that may wait for a pool thread (default 1000)
              --workers       compute replies on a worker pool with this many core threads (default: no pool)
              --max-workers   worker pool maximum, for elastic sizing (default = --workers)
              --work-queue    worker pool queue capacity (default 64)
              --backpressure  when the worker pool is full: block, busy or caller (default busy)
              --work-micros   CPU work per line on the worker pool, in microseconds (default 100)""";

    private ConcurrencyServerMain() {
    }

    public static void main(String[] args) throws IOException {
        ConsoleLog.oneLinePerRecord();
        Options options = Options.parseOrExit(args, USAGE, List.of("model", "host", "port", "backlog", "pool-threads",
                "pool-queue", "workers", "max-workers", "work-queue", "backpressure", "work-micros"), List.of());
        ExecutionModel model;
        Backpressure backpressure;
        try {
            model = ExecutionModel.fromOptionName(options.string("model", "virtual"));
            backpressure = Backpressure.fromOptionName(options.string("backpressure", "busy"));
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(2);
            return;
        }
        String host = options.string("host", "127.0.0.1");
        int port = options.integer("port", 9000, 0, 65535);
        int backlog = options.integer("backlog", 4096, 1, 1 << 20);
        int poolThreads = options.integer("pool-threads", 200, 1, 100_000);
        int poolQueue = options.integer("pool-queue", 1000, 1, 10_000_000);
        int workers = options.integer("workers", 0, 0, 10_000);

        WorkerPool workerPool = null;
        ConnectionHandler handler = new LineEchoHandler();
        String workerText = "";
        if (workers > 0) {
            int maxWorkers = options.integer("max-workers", workers, workers, 10_000);
            int workQueue = options.integer("work-queue", 64, 1, 10_000_000);
            int workMicros = options.integer("work-micros", 100, 0, 10_000_000);
            workerPool = WorkerPool.start("worker", WorkerPool.Sizing.elastic(workers, maxWorkers,
                    Duration.ofSeconds(30), workQueue), backpressure);
            handler = new WorkerPoolEchoHandler(workerPool, WorkerPoolEchoHandler.echoAfterCpuWork(workMicros),
                    EchoProtocol.DEFAULT_MAX_LINE_BYTES);
            workerText = ", workers " + workers + ".." + maxWorkers + " queue " + workQueue + " " + backpressure;
        }

        TcpServer server = TcpServer.start("echo", TcpServer.bind(new InetSocketAddress(host, port), backlog),
                handler, model.executor(poolThreads, poolQueue), AcceptBackoff.standard());
        InetSocketAddress bound = server.localAddress();
        System.out.println("listening on " + bound.getAddress().getHostAddress() + ":" + bound.getPort()
                + " (" + model.optionName()
                + (model == ExecutionModel.FIXED_POOL ? " " + poolThreads + " threads, queue " + poolQueue : "")
                + ", backlog " + backlog + workerText + ")");

        WorkerPool workersToClose = workerPool;
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> {
            server.close();
            if (workersToClose != null) {
                workersToClose.close();
            }
            System.out.println("closed after " + server.acceptedConnections() + " connections");
        }));
    }
}
