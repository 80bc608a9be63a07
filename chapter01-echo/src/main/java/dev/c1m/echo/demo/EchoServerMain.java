package dev.c1m.echo.demo;

import dev.c1m.echo.AcceptBackoff;
import dev.c1m.echo.ConnectionHandler;
import dev.c1m.echo.EchoProtocol;
import dev.c1m.echo.LineEchoHandler;
import dev.c1m.echo.RawEchoHandler;
import dev.c1m.echo.TcpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * Runs chapter 1's echo server until Ctrl-C or SIGTERM.
 *
 * <pre>
 * java -cp chapter01-echo/target/classes dev.c1m.echo.demo.EchoServerMain [--host 127.0.0.1] [--port 9000]
 *      [--backlog 50] [--max-line-bytes 8192] [--raw]
 * </pre>
 * Prints {@code listening on <host>:<port>} once it accepts connections ({@code --port 0} picks a
 * free port), then serves until the JVM is told to stop, closing every connection on the way out.
 */
public final class EchoServerMain {

    private static final String USAGE = """
            usage: EchoServerMain [--host ADDR] [--port N] [--backlog N] [--max-line-bytes N] [--raw]
              --host            address to bind (default 127.0.0.1)
              --port            port to bind, 0 for any free port (default 9000)
              --backlog         accept-queue length asked of the kernel, capped by
                                net.core.somaxconn (default 50, the JDK's default)
              --max-line-bytes  longest accepted line (default 8192)
              --raw             echo raw bytes (transferTo) instead of lines""";

    private EchoServerMain() {
    }

    public static void main(String[] args) throws IOException {
        ConsoleLog.oneLinePerRecord();
        Options options = Options.parseOrExit(args, USAGE, List.of("host", "port", "backlog", "max-line-bytes"), List.of("raw"));
        String host = options.string("host", "127.0.0.1");
        int port = options.integer("port", 9000, 0, 65535);
        int backlog = options.integer("backlog", 50, 1, 65535);
        int maxLineBytes = options.integer("max-line-bytes", EchoProtocol.DEFAULT_MAX_LINE_BYTES, 1, 64 * 1024 * 1024);
        ConnectionHandler handler = options.flag("raw") ? new RawEchoHandler() : new LineEchoHandler(maxLineBytes);

        TcpServer server = TcpServer.start("echo", TcpServer.bind(new InetSocketAddress(host, port), backlog), handler,
                TcpServer.platformThreadPerConnection("echo-conn-"), AcceptBackoff.standard());
        InetSocketAddress bound = server.localAddress();
        System.out.println("listening on " + bound.getAddress().getHostAddress() + ":" + bound.getPort()
                + (options.flag("raw") ? " (raw echo)" : " (line echo, max " + maxLineBytes + " bytes)"));

        // The accept thread is not a daemon, so the JVM runs until a signal starts the hooks.
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> {
            server.close();
            System.out.println("closed after " + server.acceptedConnections() + " connections");
        }));
    }
}
