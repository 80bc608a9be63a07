package dev.c1m.nio.bench;

import dev.c1m.echo.AcceptBackoff;
import dev.c1m.echo.LineEchoHandler;
import dev.c1m.echo.TcpServer;
import dev.c1m.echo.demo.ConsoleLog;
import dev.c1m.echo.demo.Options;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.Executors;

/**
 * The baseline the reactor is measured against: chapter 1's blocking {@code TcpServer} and
 * {@code LineEchoHandler}, one virtual thread per connection (chapter 3's model), speaking the
 * same line protocol. Prints {@code listening on <host>:<port>}; runs until killed.
 *
 * <pre>
 * java -cp ... dev.c1m.nio.bench.VirtualThreadEchoServerMain [--host 127.0.0.1] [--port 9000]
 * </pre>
 */
public final class VirtualThreadEchoServerMain {

    private static final String USAGE = """
            usage: VirtualThreadEchoServerMain [--host ADDR] [--port N]""";

    private VirtualThreadEchoServerMain() {
    }

    public static void main(String[] args) throws IOException {
        ConsoleLog.oneLinePerRecord();
        Options options = Options.parseOrExit(args, USAGE, List.of("host", "port"), List.of());
        InetSocketAddress address = new InetSocketAddress(options.string("host", "127.0.0.1"), options.integer("port", 9000, 0, 65535));
        TcpServer server = TcpServer.start("vt-echo", TcpServer.bind(address, 4096), new LineEchoHandler(),
                Executors.newVirtualThreadPerTaskExecutor(), AcceptBackoff.standard());
        InetSocketAddress bound = server.localAddress();
        System.out.println("listening on " + bound.getAddress().getHostAddress() + ":" + bound.getPort()
                + " (virtual thread per connection)");
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(server::close));
    }
}
