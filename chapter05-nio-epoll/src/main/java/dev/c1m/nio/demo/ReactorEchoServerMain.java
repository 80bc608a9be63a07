package dev.c1m.nio.demo;

import dev.c1m.echo.EchoProtocol;
import dev.c1m.echo.demo.ConsoleLog;
import dev.c1m.echo.demo.Options;
import dev.c1m.nio.FrameEchoHandler;
import dev.c1m.nio.Handler;
import dev.c1m.nio.LineProtocolHandler;
import dev.c1m.nio.ReactorServer;
import dev.c1m.nio.ReactorSettings;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * Runs the reactor echo server until Ctrl-C or SIGTERM.
 *
 * <pre>
 * java -cp chapter05-nio-epoll/target/classes:chapter04-heartbeat/target/classes:chapter01-echo/target/classes \
 *      dev.c1m.nio.demo.ReactorEchoServerMain [--mode single|multi|reuseport] [--reactors N]
 *      [--host 127.0.0.1] [--port 9000] [--max-line-bytes 8192] [--frames --max-frame-bytes N]
 * </pre>
 * Prints {@code listening on <host>:<port> ...} once it accepts connections.
 */
public final class ReactorEchoServerMain {

    private static final String USAGE = """
            usage: ReactorEchoServerMain [--mode single|multi|reuseport] [--reactors N] [--host ADDR] [--port N]
                                         [--max-line-bytes N] [--frames] [--max-frame-bytes N]
              --mode            single: one reactor accepts and serves (default)
                                multi: one acceptor reactor hands connections to N worker reactors
                                reuseport: N reactors, each accepting on its own SO_REUSEPORT socket
              --reactors        N for multi and reuseport (default: number of cores)
              --host            address to bind (default 127.0.0.1)
              --port            port to bind, 0 for any free port (default 9000)
              --max-line-bytes  longest accepted line (default 8192)
              --frames          echo length-prefixed frames instead of lines
              --max-frame-bytes longest accepted frame payload (default 1048576)""";

    private ReactorEchoServerMain() {
    }

    public static void main(String[] args) throws IOException {
        ConsoleLog.oneLinePerRecord();
        Options options = Options.parseOrExit(args, USAGE,
                List.of("mode", "reactors", "host", "port", "max-line-bytes", "max-frame-bytes"), List.of("frames"));
        String mode = options.string("mode", "single");
        int reactors = options.integer("reactors", Runtime.getRuntime().availableProcessors(), 1, 1024);
        InetSocketAddress address = new InetSocketAddress(options.string("host", "127.0.0.1"),
                options.integer("port", 9000, 0, 65535));
        Handler.Factory handlers = options.flag("frames")
                ? FrameEchoHandler.factory(options.integer("max-frame-bytes", 1 << 20, 0, Integer.MAX_VALUE))
                : LineProtocolHandler.factory(options.integer("max-line-bytes", EchoProtocol.DEFAULT_MAX_LINE_BYTES, 1, 1 << 26));
        ReactorSettings settings = ReactorSettings.defaults();

        ReactorServer server = switch (mode) {
            case "single" -> ReactorServer.singleReactor("reactor", address, handlers, settings);
            case "multi" -> ReactorServer.multiReactor("reactor", address, reactors, handlers, settings);
            case "reuseport" -> ReactorServer.reusePort("reactor", address, reactors, handlers, settings);
            default -> {
                System.err.println("error: unknown --mode " + mode + "\n" + USAGE);
                System.exit(2);
                throw new AssertionError();
            }
        };
        InetSocketAddress bound = server.localAddress();
        System.out.println("listening on " + bound.getAddress().getHostAddress() + ":" + bound.getPort()
                + " (" + mode + ", " + server.workers().size() + " serving reactor(s), "
                + (options.flag("frames") ? "frames" : "lines") + ", read buffer " + settings.readBufferBytes()
                + " B, watermarks " + settings.watermarks() + ")");
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> {
            server.close();
            System.out.println("closed");
        }));
    }
}
