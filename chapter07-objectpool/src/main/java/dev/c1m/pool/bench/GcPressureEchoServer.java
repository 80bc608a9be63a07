package dev.c1m.pool.bench;

import dev.c1m.echo.ConnectionHandler;
import dev.c1m.echo.EchoProtocol;
import dev.c1m.echo.TcpServer;
import dev.c1m.echo.demo.ConsoleLog;
import dev.c1m.echo.demo.Options;
import dev.c1m.pool.AllocatingReplyWriter;
import dev.c1m.pool.BufferPool;
import dev.c1m.pool.ChannelEchoServer;
import dev.c1m.pool.ChannelLineEchoHandler;
import dev.c1m.pool.PooledReplyWriter;
import dev.c1m.pool.ReplyWriter;

import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * The measured server of {@link GcPressureBenchmark}: a line echo server with either message
 * path, which reports its allocation and collector activity each time its last client leaves.
 *
 * <pre>
 * java -XX:+UseZGC -cp chapter07-objectpool/target/classes:chapter01-echo/target/classes \
 *      dev.c1m.pool.bench.GcPressureEchoServer --path pooled [--port 0]
 * </pre>
 * Prints {@code listening on 127.0.0.1:<port>}, then after each group of connections closes:
 * {@code STATS phase=<n> handlerBytes=<b> allocatedBytes=<b> collections=<n> pauseMillis=<ms> uptimeMillis=<ms>}
 * (cumulative since start; the benchmark subtracts the warm-up phase). {@code handlerBytes}
 * counts only the connection threads (the message path); {@code allocatedBytes} the whole JVM.
 */
public final class GcPressureEchoServer {

    private static final String USAGE = """
            usage: GcPressureEchoServer --path pooled|unpooled [--port N]
              --path  pooled: PooledReplyWriter on a BufferPool; unpooled: AllocatingReplyWriter
              --port  port on 127.0.0.1, 0 for any free port (default 0)""";

    private GcPressureEchoServer() {
    }

    public static void main(String[] args) throws Exception {
        ConsoleLog.oneLinePerRecord();
        Options options = Options.parseOrExit(args, USAGE, List.of("path", "port"), List.of());
        String path = options.string("path", "pooled");
        if (!path.equals("pooled") && !path.equals("unpooled")) {
            System.err.println("error: --path must be pooled or unpooled, got '" + path + "'");
            System.exit(2);
        }
        int port = options.integer("port", 0, 0, 65535);

        BufferPool pool = new BufferPool("gc-bench", BufferPool.Settings.defaults());
        Supplier<ReplyWriter> writers = path.equals("pooled") ? () -> new PooledReplyWriter(pool)
                : AllocatingReplyWriter::new;
        ChannelLineEchoHandler echo = new ChannelLineEchoHandler(pool, writers, EchoProtocol.DEFAULT_MAX_LINE_BYTES);

        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        LongAdder handlerBytes = new LongAdder();
        AtomicInteger active = new AtomicInteger();
        AtomicInteger phase = new AtomicInteger();
        ConnectionHandler measured = socket -> {
            active.incrementAndGet();
            long before = threads.getCurrentThreadAllocatedBytes();
            try {
                echo.handle(socket);
            } finally {
                handlerBytes.add(threads.getCurrentThreadAllocatedBytes() - before);
                if (active.decrementAndGet() == 0) {
                    GcSnapshot gc = GcSnapshot.now();
                    System.out.println("STATS phase=" + phase.incrementAndGet() + " handlerBytes=" + handlerBytes.sum()
                            + " allocatedBytes=" + gc.allocatedBytes() + " collections=" + gc.collections()
                            + " pauseMillis=" + gc.pauseMillis()
                            + " uptimeMillis=" + ManagementFactory.getRuntimeMXBean().getUptime());
                }
            }
        };
        TcpServer server = ChannelEchoServer.start("gc-echo", new InetSocketAddress("127.0.0.1", port), measured);
        System.out.println("listening on 127.0.0.1:" + server.localAddress().getPort() + " path=" + path + " gc="
                + ManagementFactory.getGarbageCollectorMXBeans().stream().map(b -> b.getName()).toList());
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(server::close));
    }
}
